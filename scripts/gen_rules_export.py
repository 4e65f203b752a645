#!/usr/bin/env python3
"""Writes a large collection export for measuring `score` with the rules: one row per
contact, DEBTORS debtors, rows in random order, times over thirty days in mixed formats.

    python3 scripts/gen_rules_export.py --debtors 1000000 --size 2G --out /tmp/export.csv

Columns: id, 客户号, 发送时间, 渠道, 关系, 是否接通, 短信内容, 催收员. Calls are half the
rows (four in ten answered), a tenth of the messages go to a contact or a colleague, and
one row in fifty goes to one of 2,000 busy debtors, who reach the daily limits.
"""
import argparse
import random
import sys

TEXTS = [
    "您好，您在我司的借款本期应还{a}元，最后还款日为{d}日，请按时还款，如已还款请忽略。",
    "【提醒】尊敬的客户，您的账单{a}元已逾期{n}天，请尽快处理，以免影响您的信用记录。",
    "您好，这里是贷后服务中心，想和您确认一下还款计划，方便时请回电，谢谢。",
    "如持续未还，我司将依法向有管辖权的人民法院提起诉讼，相关费用由您承担。",
    "您好，我们可以为您申请分期还款，每期{a}元，请问您是否需要？",
    "今天再不还钱，明天就去你单位找你领导，让你同事都知道你是老赖。",
    "欠钱不还的废物，你还有脸接电话？",
    "您好，麻烦转告他方便时给我们回个电话，谢谢。",
    "您的同事在我司的借款已经逾期{n}天，欠款{a}元，请转告他尽快还款。",
    "下周五发工资了就还，别再打了行吗",
]
CHANNELS = ["电话"] * 5 + ["短信"] * 4 + ["微信"]
AGENTS = [f"A{i:03d}" for i in range(200)]


def size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * mult[s[-1].upper()]) if s[-1].upper() in mult else int(s)


def when(rng, fmt):
    day, minute = rng.randrange(30), rng.randrange(1440)
    h, m = divmod(minute, 60)
    # 2026-11-01 plus `day`, at +08:00 (2026-11-03 00:00 +08:00 is 1,793,635,200).
    epoch = 1_793_635_200 + (day - 2) * 86400 + minute * 60
    mon, d = (11, day + 1)
    if fmt == 0:
        return f"2026-{mon:02d}-{d:02d} {h:02d}:{m:02d}:{rng.randrange(60):02d}"
    if fmt == 1:
        return f"2026/{mon}/{d} {h}:{m:02d}"
    if fmt == 2:
        return f"2026-{mon:02d}-{d:02d}T{h:02d}:{m:02d}:00+08:00"
    return str(epoch)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--debtors", type=int, default=1_000_000)
    ap.add_argument("--size", default="2G", help="bytes to write, such as 2G or 500M")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    target = size(a.size)
    written = 0
    rows = 0
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        header = "id,客户号,发送时间,渠道,关系,是否接通,短信内容,催收员\n"
        f.write(header)
        written += len(header.encode())
        buf = []
        while written < target:
            rows += 1
            channel = rng.choice(CHANNELS)
            relation = "本人" if rng.random() < 0.9 else rng.choice(["紧急联系人", "同事"])
            answered = ("接通" if rng.random() < 0.4 else "未接通") if channel == "电话" else ""
            text = rng.choice(TEXTS).format(a=rng.randrange(200, 20000), d=rng.randrange(1, 28), n=rng.randrange(1, 90))
            # One row in fifty goes to a few busy debtors, who reach the daily limits.
            debtor = rng.randrange(min(2000, a.debtors)) if rng.random() < 0.02 else rng.randrange(a.debtors)
            line = (f"{rows},D{debtor:07d},{when(rng, rows % 4)},{channel},{relation},"
                    f"{answered},{text},{rng.choice(AGENTS)}\n")
            buf.append(line)
            written += len(line.encode())
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    print(f"gen_rules_export: {rows} rows, {written} bytes, {a.debtors} debtors -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
