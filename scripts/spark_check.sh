#!/usr/bin/env bash
# A real Spark run: pipes a generated input through the built binary with RDD.pipe in local
# mode over several partitions (`classify --format jsonl` and `filter`) and compares the
# result with the one-shot run. Installs what it needs if missing: pyspark from PyPI and a
# Java runtime from Debian's packages.
#
#   scripts/spark_check.sh [LINES] [PARTITIONS]     (defaults 20000 and 4)
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-20000}
PARTS=${2:-4}
PY=${PYTHON:-python3}
BIN=target/release/collectguard
# Local mode stays on the loopback interface.
export SPARK_LOCAL_IP=127.0.0.1

if ! command -v java >/dev/null 2>&1; then
  echo "spark_check: installing a Java runtime" >&2
  apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if ! "$PY" -c 'import pyspark' 2>/dev/null; then
  echo "spark_check: installing pyspark" >&2
  "$PY" -m pip install -q pyspark
fi
[ -x "$BIN" ] || cargo build --release

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$PY" scripts/gen_bench_input.py -n "$LINES" --out "$TMP/in.txt"

fail=0
check() { # name, then collectguard arguments
  local name=$1
  shift
  "$BIN" "$@" <"$TMP/in.txt" >"$TMP/$name.one" || [ $? -eq 1 ]
  "$PY" scripts/spark_pipe.py --bin "$BIN" --input "$TMP/in.txt" --partitions "$PARTS" \
    --out "$TMP/$name.spark" -- "$@"
  # A shard numbers its own lines: compare JSON records without `line`, text as it is.
  if [ "$name" = jsonl ]; then
    for f in one spark; do
      "$PY" -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l); r.pop("line", None); print(json.dumps(r, ensure_ascii=False, sort_keys=True))' \
        <"$TMP/$name.$f" >"$TMP/$name.$f.cmp"
    done
  else
    cp "$TMP/$name.one" "$TMP/$name.one.cmp"
    cp "$TMP/$name.spark" "$TMP/$name.spark.cmp"
  fi
  if cmp -s "$TMP/$name.one.cmp" "$TMP/$name.spark.cmp"; then
    echo "spark_check: $name: $(wc -l <"$TMP/$name.spark") lines over $PARTS partitions equal the one-shot run"
  else
    echo "spark_check: $name: the Spark run differs from the one-shot run" >&2
    fail=1
  fi
}
check jsonl classify --format jsonl --threads 1
check filter filter --threads 1
exit $fail
