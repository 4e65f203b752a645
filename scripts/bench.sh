#!/usr/bin/env bash
# Whole-process benchmark of collectguard against the usual Python pipeline
# (jieba + scikit-learn) and against a jieba-only floor (examples/jieba_floor.rs).
#
#   scripts/bench.sh               # default run, ~5-10 min on 2 cores
#   BENCH_BIG=1 scripts/bench.sh   # also: peak RSS over a 2 GB input (slow; needs ~2 GB in /tmp)
#
# Run from the repository root of a fresh clone. Writes only under target/ (the build, the
# venv at target/bench-venv, results in target/bench/) and a temporary directory in /tmp,
# which is removed at the end. Knobs: BENCH_N (messages, default 200000), BENCH_REPEAT
# (runs per Rust measurement, best taken, and 1-against-all-cores pairs, default 3),
# BENCH_BIG_SIZE (default 2G).
set -euo pipefail

cd "$(dirname "$0")/.."
[ -f Cargo.toml ] && [ -f data/train.csv ] || { echo "bench.sh: run from the collectguard repository" >&2; exit 2; }

N=${BENCH_N:-200000}
REPEAT=${BENCH_REPEAT:-3}
BIG_SIZE=${BENCH_BIG_SIZE:-2G}
CORES=$(nproc 2>/dev/null || echo 1)
OUT=target/bench
VENV=target/bench-venv
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/collectguard-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
RESULTS=$OUT/results.txt
: >"$RESULTS"

log() { echo "bench: $*" >&2; }
say() { echo "$*" | tee -a "$RESULTS"; }

# ---------------------------------------------------------------- build
log "building release binaries and examples"
cargo build --release --bins --examples --quiet
[ -x target/release/collectguard ] && [ -x target/release/examples/jieba_floor ] ||
    { echo "bench.sh: the build produced no collectguard or jieba_floor" >&2; exit 2; }
# Snapshot the binaries: a concurrent cargo build in this checkout must not swap them mid-run.
mkdir -p "$TMP/bin"
cp target/release/collectguard target/release/examples/jieba_floor "$TMP/bin/"
CG=$TMP/bin/collectguard
FLOOR=$TMP/bin/jieba_floor

# ---------------------------------------------------------------- python venv
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
fi
PY=$VENV/bin/python
if ! "$PY" -c 'import jieba, sklearn' 2>/dev/null; then
    log "installing jieba and scikit-learn into $VENV"
    PIP_CACHE_DIR="$VENV/pip-cache" "$PY" -m pip install --quiet --disable-pip-version-check jieba scikit-learn
fi
export PYTHONDONTWRITEBYTECODE=1
export TMPDIR=/tmp   # jieba keeps its dictionary cache in the temp dir
PYVERS=$("$PY" -c 'import sys, jieba, sklearn; print(f"Python {sys.version.split()[0]}, jieba {jieba.__version__}, scikit-learn {sklearn.__version__}")')

# ---------------------------------------------------------------- measuring
# measure NAME STDIN STDOUT CMD... : runs CMD once with the given redirections and sets
# WALL (seconds) and RSS_KB (peak resident set of the process tree's largest member).
if [ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null; then
    TIMER=gnu-time
else
    TIMER=python
    cat >"$TMP/measure.py" <<'PYEOF'
import resource, subprocess, sys
rss_file, cmd = sys.argv[1], sys.argv[2:]
rc = subprocess.call(cmd)
with open(rss_file, "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))  # KiB on Linux
sys.exit(rc)
PYEOF
fi

now() { date +%s.%N; }

measure() {
    local stdin=$1 stdout=$2; shift 2
    local t0 t1 rc=0
    t0=$(now)
    if [ "$TIMER" = gnu-time ]; then
        /usr/bin/time -v -o "$TMP/time.txt" "$@" <"$stdin" >"$stdout" 2>>"$TMP/stderr.txt" || rc=$?
        t1=$(now)
        RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt")
    else
        python3 "$TMP/measure.py" "$TMP/rss.txt" "$@" <"$stdin" >"$stdout" 2>>"$TMP/stderr.txt" || rc=$?
        t1=$(now)
        RSS_KB=$(cat "$TMP/rss.txt")
    fi
    WALL=$(echo "$t1 - $t0" | bc -l 2>/dev/null || python3 -c "print($t1 - $t0)")
    return $rc
}

# best_of K STDIN STDOUT CMD... : K runs, keeps the fastest wall time (and its RSS).
best_of() {
    local k=$1; shift
    local best_w="" best_r=""
    for ((i = 0; i < k; i++)); do
        measure "$@"
        if [ -z "$best_w" ] || awk "BEGIN{exit !($WALL < $best_w)}"; then best_w=$WALL; best_r=$RSS_KB; fi
    done
    WALL=$best_w; RSS_KB=$best_r
}

declare -A RATE PEAK TIME
record() { # NAME MESSAGES
    TIME[$1]=$WALL
    PEAK[$1]=$RSS_KB
    RATE[$1]=$(awk "BEGIN{printf \"%.0f\", $2 / $WALL}")
}

check_lines() { # FILE EXPECTED WHAT
    local got; got=$(wc -l <"$1")
    [ "$got" -eq "$2" ] || { echo "bench.sh: $3 wrote $got lines, expected $2" >&2; cat "$TMP/stderr.txt" >&2; exit 1; }
}

# ---------------------------------------------------------------- input
INPUT=$TMP/messages.txt
log "generating $N messages"
python3 scripts/gen_bench_input.py --out "$INPUT" -n "$N" 2>>"$TMP/stderr.txt"
IN_BYTES=$(wc -c <"$INPUT")

# ---------------------------------------------------------------- throughput
# The 1-thread and the all-cores runs are taken in pairs, back to back: the machine's speed
# drifts between runs, so besides each side's best the median of the pairs' ratios is
# reported.
log "collectguard classify, 1 thread against $CORES threads, $REPEAT pairs"
RATIOS=()
for ((i = 0; i < REPEAT; i++)); do
    for side in cg1 cgN; do
        threads=(); [ "$side" = cg1 ] && threads=(--threads 1)
        measure "$INPUT" "$TMP/out.jsonl" "$CG" classify --format jsonl "${threads[@]}"
        check_lines "$TMP/out.jsonl" "$N" "collectguard classify"
        if [ -z "${TIME[$side]:-}" ] || awk "BEGIN{exit !($WALL < ${TIME[$side]})}"; then record "$side" "$N"; fi
        [ "$side" = cg1 ] && w1=$WALL
    done
    RATIOS+=("$(awk "BEGIN{printf \"%.3f\", $w1 / $WALL}")")
done
rm -f "$TMP/out.jsonl"
PAIRED=$(printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2fx (pairs: %s to %s)", m, a[1], a[NR]}')
# stats_of FILE: the --stats line of a run over FILE, on all cores.
stats_of() { "$CG" classify --format jsonl --stats <"$1" 2>&1 >/dev/null | grep 'serial share' | sed 's/^collectguard: //'; }
log "collectguard --stats, $CORES threads"
STATS=$(stats_of "$INPUT")
# Start-up is a fixed cost, the reading thread's a cost per message: on a longer input the
# first shrinks as a share and the second stays.
log "collectguard --stats, $CORES threads, the input 5 times over"
for _ in 1 2 3 4 5; do cat "$INPUT"; done >"$TMP/input5.txt"
STATS5=$(stats_of "$TMP/input5.txt")
rm -f "$TMP/input5.txt"

log "jieba_floor (best of $REPEAT)"
best_of "$REPEAT" "$INPUT" "$TMP/out.txt" "$FLOOR"
check_lines "$TMP/out.txt" "$N" "jieba_floor"
record floor "$N"

log "python: fitting the scikit-learn pipeline"
PKL=$TMP/sklearn.pkl
measure /dev/null "$TMP/fit.out" "$PY" scripts/sklearn_pipeline.py fit --data data/train.csv --model "$PKL"
log "python: predicting $N messages (one run; this is the slow one)"
measure "$INPUT" "$TMP/out.txt" "$PY" scripts/sklearn_pipeline.py predict --model "$PKL" -
check_lines "$TMP/out.txt" "$N" "sklearn_pipeline predict"
record py "$N"
PY_INNER=$(grep -o 'predicted .*' "$TMP/stderr.txt" | tail -1)
rm -f "$TMP/out.txt"

# ---------------------------------------------------------------- training
log "collectguard train"
measure /dev/null /dev/null "$CG" train --data data/train.csv --out "$TMP/model.json"
record cg_train 1
log "scikit-learn fit"
measure /dev/null /dev/null "$PY" scripts/sklearn_pipeline.py fit --data data/train.csv
record py_train 1
PY_FIT=$(grep -o 'jieba load .*' "$TMP/stderr.txt" | tail -1)
TRAIN_N=${BENCH_TRAIN_N:-100000}
log "training on $TRAIN_N messages varied from data/train.csv"
"$PY" scripts/gen_bench_input.py --labelled -n "$TRAIN_N" --out "$TMP/train_big.csv" 2>>"$TMP/stderr.txt"
measure /dev/null /dev/null "$CG" train --data "$TMP/train_big.csv" --out "$TMP/model_big.json"
record cg_train_big 1
measure /dev/null /dev/null "$PY" scripts/sklearn_pipeline.py fit --data "$TMP/train_big.csv"
record py_train_big 1
rm -f "$TMP/train_big.csv"

# ---------------------------------------------------------------- start-up
median10() { # CMD... ; stdin from "你好"
    local ts=() t0 t1
    for ((i = 0; i < 10; i++)); do
        t0=$(now)
        echo 你好 | "$@" >/dev/null 2>>"$TMP/stderr.txt"
        t1=$(now)
        ts+=("$(awk "BEGIN{print ($t1 - $t0) * 1000}")")
    done
    printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END{printf "%.1f", (a[5]+a[6])/2}'
}
log "start-up (median of 10)"
SU_CG=$(median10 "$CG" classify)
SU_FLOOR=$(median10 "$FLOOR" --load-only)

# ---------------------------------------------------------------- report
mb() { awk "BEGIN{printf \"%.0f\", $1 / 1024}"; }
say ""
say "collectguard benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $CORES cores, $(uname -m)"
say "input: $N messages, $IN_BYTES bytes (scripts/gen_bench_input.py); $PYVERS; timer: $TIMER"
say ""
say "throughput (whole process, input from a file on stdin; Rust rows best of $REPEAT)"
printf '%-44s %10s %12s %14s\n' "command" "wall s" "messages/s" "peak RSS MB" | tee -a "$RESULTS"
row() { printf '%-44s %10.2f %12s %14s\n' "$1" "${TIME[$2]}" "${RATE[$2]}" "$(mb "${PEAK[$2]}")" | tee -a "$RESULTS"; }
row "collectguard classify --format jsonl -t1" cg1
row "collectguard classify --format jsonl ($CORES thr)" cgN
row "jieba_floor (segmentation only, 1 thread)" floor
row "python jieba+sklearn predict (1 process)" py
say "  (python's own timing, excluding start-up: $PY_INNER)"
say ""
say "ratios"
say "  collectguard 1 thread vs python pipeline:   $(awk "BEGIN{printf \"%.1fx\", ${RATE[cg1]} / ${RATE[py]}}") the messages/s"
say "  collectguard $CORES threads vs python pipeline:  $(awk "BEGIN{printf \"%.1fx\", ${RATE[cgN]} / ${RATE[py]}}") the messages/s"
say "  collectguard 1 thread vs jieba floor:       $(awk "BEGIN{printf \"%.0f%%\", 100 * ${RATE[cg1]} / ${RATE[floor]}}") of the floor's messages/s"
say "  collectguard $CORES threads vs 1 thread:         $(awk "BEGIN{printf \"%.2fx\", ${RATE[cgN]} / ${RATE[cg1]}}") (best of each); paired median $PAIRED"
say "  --stats, $CORES threads: $STATS"
say "  --stats, $CORES threads, the input 5 times over: $STATS5"
say ""
say "training on data/train.csv (whole process, default threads)"
printf '%-44s %10s %14s\n' "command" "wall s" "peak RSS MB" | tee -a "$RESULTS"
printf '%-44s %10.2f %14s\n' "collectguard train" "${TIME[cg_train]}" "$(mb "${PEAK[cg_train]}")" | tee -a "$RESULTS"
printf '%-44s %10.2f %14s\n' "python sklearn_pipeline.py fit" "${TIME[py_train]}" "$(mb "${PEAK[py_train]}")" | tee -a "$RESULTS"
say "  (python's own timing: $PY_FIT)"
say "  ratio: collectguard train takes $(awk "BEGIN{printf \"%.2fx\", ${TIME[cg_train]} / ${TIME[py_train]}}") the python fit's wall time"
say ""
say "training on $TRAIN_N messages varied from data/train.csv (whole process, default threads)"
printf '%-44s %10.2f %14s\n' "collectguard train" "${TIME[cg_train_big]}" "$(mb "${PEAK[cg_train_big]}")" | tee -a "$RESULTS"
printf '%-44s %10.2f %14s\n' "python sklearn_pipeline.py fit (vectorise + fit)" "${TIME[py_train_big]}" "$(mb "${PEAK[py_train_big]}")" | tee -a "$RESULTS"
say "  ratio: collectguard train takes $(awk "BEGIN{printf \"%.2fx\", ${TIME[cg_train_big]} / ${TIME[py_train_big]}}") the python fit's wall time"
say ""
say "start-up (median of 10 runs)"
say "  echo 你好 | collectguard classify:  ${SU_CG} ms"
say "  jieba_floor --load-only:           ${SU_FLOOR} ms"
say "  ratio: $(awk "BEGIN{printf \"%.2fx\", $SU_CG / $SU_FLOOR}")"

# ---------------------------------------------------------------- big input
if [ "${BENCH_BIG:-0}" = 1 ]; then
    BIG=$TMP/big.txt
    log "generating a $BIG_SIZE input (streamed)"
    python3 scripts/gen_bench_input.py --out "$BIG" --bytes "$BIG_SIZE" 2>>"$TMP/stderr.txt"
    BIG_BYTES=$(wc -c <"$BIG")
    BIG_N=$(wc -l <"$BIG")
    say ""
    say "big input: $BIG_N messages, $BIG_BYTES bytes, output to /dev/null, $CORES threads"
    printf '%-44s %10s %12s %14s\n' "command" "wall s" "messages/s" "peak RSS MB" | tee -a "$RESULTS"
    log "collectguard classify over $BIG_BYTES bytes"
    measure "$BIG" /dev/null "$CG" classify --format jsonl
    record big_classify "$BIG_N"
    row "collectguard classify --format jsonl" big_classify
    log "collectguard filter over $BIG_BYTES bytes"
    rc=0; measure "$BIG" /dev/null "$CG" filter || rc=$?
    [ "$rc" -le 1 ] || { echo "bench.sh: collectguard filter exited $rc" >&2; tail "$TMP/stderr.txt" >&2; exit 1; }
    record big_filter "$BIG_N"
    row "collectguard filter" big_filter
    rm -f "$BIG"
fi
say ""
log "results saved in $RESULTS"
