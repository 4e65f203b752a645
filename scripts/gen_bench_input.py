#!/usr/bin/env python3
"""Writes a deterministic benchmark input: one message per line.

Messages recombine texts from data/train.csv (text,label) with random names, amounts,
dates and a few joined sentences, so lines are realistic but not all identical. The output
is streamed: `--bytes 2G` writes a 2 GB file without holding it in memory.

    python3 scripts/gen_bench_input.py --out /tmp/msgs.txt                # 200000 lines
    python3 scripts/gen_bench_input.py --out /tmp/big.txt --bytes 2G      # ~2 GB
    python3 scripts/gen_bench_input.py --labelled -n 100000 --out /tmp/train100k.csv  # text,label CSV
"""
import argparse
import csv
import os
import random
import re
import sys

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建文辉力鹏飞宇浩然子涵欣怡梓轩雨晨思远佳琪嘉"
TITLES = ["先生", "女士", "", ""]
AMOUNT_RE = re.compile(r"\d+(?:\.\d+)?(?:万|元|块)")
DATE_RE = re.compile(r"\d{1,2}月\d{1,2}日")
NAME_RE = re.compile(r"(?:您好|尊敬的)([\u4e00-\u9fff]{2,3})(?=先生|女士|，|,)")


def parse_size(s):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?\s*", s)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {s!r} (e.g. 500M, 2G)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def load_rows(path):
    """(text, label) pairs; texts on one line (no embedded newlines or tabs)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = [(" ".join(r["text"].split()), r.get("label", "")) for r in csv.DictReader(f)]
    return [r for r in rows if r[0]]


def amount(rng):
    r = rng.random()
    if r < 0.4:
        return f"{rng.randint(200, 99999)}元"
    if r < 0.7:
        return f"{rng.randint(1, 50)}.{rng.randint(0, 9)}万"
    return f"{rng.randint(100, 20000)}块"


def name(rng):
    n = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    return n


def make(rng, texts, t=None):
    """A variation of `t` (a random text if None); a second text run in is from `texts`."""
    t = rng.choice(texts) if t is None else t
    t = AMOUNT_RE.sub(lambda _: amount(rng), t)
    t = DATE_RE.sub(lambda _: f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日", t)
    t = NAME_RE.sub(lambda m: m.group(0)[: -len(m.group(1))] + name(rng), t)
    r = rng.random()
    if r < 0.15:
        t = f"{name(rng)}{rng.choice(TITLES)}，{t}"
    elif r < 0.25:
        t = f"{t}（欠款{amount(rng)}）"
    elif r < 0.35:
        t = f"{t}{rng.choice(texts)}"  # two messages run together
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/train.csv", help="labelled CSV with a text column")
    ap.add_argument("--out", default="-", help="output file (default: stdout)")
    ap.add_argument("-n", "--count", type=int, default=200000, help="messages to write")
    ap.add_argument("--bytes", type=parse_size, default=None,
                    help="write until the file reaches this size instead (e.g. 2G); overrides -n")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--labelled", action="store_true",
                    help="write a text,label CSV (a text run in is one of the same label)")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    rows = load_rows(a.data)
    texts = [t for t, _ in rows]
    by_label = {}
    for t, label in rows:
        by_label.setdefault(label, []).append(t)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n")
    writer = None
    if a.labelled:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["text", "label"])
    written = lines = 0
    chunk = []
    try:
        while True:
            if a.bytes is None:
                if lines >= a.count:
                    break
            elif written >= a.bytes:
                break
            if writer is None:
                line = make(rng, texts) + "\n"
                chunk.append(line)
            else:
                t, label = rng.choice(rows)
                t = make(rng, by_label[label], t)
                writer.writerow([t, label])
                line = t + label + "\n"
            written += len(line.encode("utf-8"))
            lines += 1
            if chunk and len(chunk) >= 8192:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"gen_bench_input: wrote {lines} messages, {written} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
