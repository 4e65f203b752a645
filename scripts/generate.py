#!/usr/bin/env python3
"""Seeded generator for collectguard's synthetic training corpus.

Design: every message is composed from fragments in data/corpus/fragments.json:
an optional opener (【平台名】 header, greeting such as 您好/喂/亲, name address),
one core clause from a template *family* (each family has one label, one cue
code T1..T7 / H1..H5 or a compliant sub-kind such as C-lawsuit, and 8+ core
clauses), an optional amount/date clause, and an optional closer. Slots
({name}, {platform}, {amount}, {date}, {estate}, {rel}, ...) are filled from the
fragment lists. Join style and punctuation vary (Chinese, ASCII or none), and a
small share of rows get a typo variant. Labels follow a fixed quota of 40%
harassing, 30% threatening, 30% compliant; within a label a cue is drawn
uniformly, then a family of that cue; duplicate texts are redrawn.

Usage (from the repo root):
    python3 scripts/generate.py --seed 7 --count 1600 --out data/corpus/generated.csv

Output: CSV (UTF-8, '\\n' line endings) with header text,label,cue,family; keep
whole families on one side of a train/test split. Same seed + count give a
byte-identical file (single random.Random(seed), sorted keys, no time).
"""
import argparse
import csv
import json
import os
import random
import sys

LABEL_SHARE = (("harassing", 0.4), ("threatening", 0.3), ("compliant", 0.3))
HEADER_P = {"compliant": 0.45, "threatening": 0.2, "harassing": 0.25}
TERMINALS = {
    "compliant": ["。", "。", "。", "", "！", "~"],
    "threatening": ["！", "。", "！！", "", "!", "。。。"],
    "harassing": ["！", "？", "", "。", "！！！", "。。。", "?"],
}
ZH_PUNCT = "，。！？：；、"
ASCII_MAP = {"，": ",", "。": ".", "！": "!", "？": "?", "：": ":", "；": ";", "、": ",", "【": "[", "】": "]"}


def fill_slots(rng, S):
    """Draw one value per slot; iteration order is fixed so output is deterministic."""
    v = {}
    for key in sorted(S):
        if isinstance(S[key], list) and S[key] and isinstance(S[key][0], str):
            v[key] = rng.choice(S[key])
    sur, given = v["surname"], v["given"]
    v["full"] = sur + given
    v["name"] = rng.choice([sur + v["title"], sur + v["title"], "小" + sur, "老" + sur, sur + given])
    v["nick"] = rng.choice(["小" + sur, "阿" + given[-1], given[-1] + given[-1], "老" + sur])
    v["estate"] = v["estate"] + rng.choice(["", "", v["building"]])
    # amounts
    base = rng.choice([rng.randint(3, 99) * 100, rng.randint(300, 49999), rng.randint(1, 9) * 1000 + 500])
    cents = rng.choice(["", "", ".00", ".%02d" % rng.randint(1, 99)])
    fmt = rng.randint(0, 5)
    if fmt == 0:
        amount = "{:,}{}元".format(base, cents)
    elif fmt == 1:
        amount = "¥{}{}".format(base, cents)
    elif fmt == 2 and base >= 10000:
        amount = "{:.1f}万".format(base / 10000.0).replace(".0万", "万")
    else:
        amount = "{}{}{}".format(base, cents, v["amount_units"] or "元")
    v["amount"] = amount
    v["fee"] = "{}.{:02d}元".format(rng.randint(5, 800), rng.randint(0, 99))
    # dates and times
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    v["date"] = rng.choice([
        "{}月{}日".format(m, d), "{}月{}号".format(m, d), "2024-{:02d}-{:02d}".format(m, d),
        "本月{}日".format(d), v["relative_dates"], v["weekday"], "{}/{}".format(m, d)])
    h = int(v["hour"])
    v["time"] = rng.choice([
        "{}{}点".format(v["day_word"], h), "{}:00".format(h + 12), "今天下午{}点".format(h % 6 + 1),
        "晚上{}点".format(h % 4 + 8), "{}中午12点".format(v["day_word"]), "{}:30".format(h + 10)])
    v["phone"] = rng.choice(["400-{}-{:04d}".format(rng.randint(100, 999), rng.randint(0, 9999)),
                             "95{}".format(rng.randint(100, 999)), "010-{}".format(rng.randint(60000000, 89999999))])
    v["staff"] = "{}{:04d}".format(rng.choice("ABCDKMXZ"), rng.randint(1, 9999))
    v["id4"] = "{:03d}{}".format(rng.randint(0, 999), rng.choice("0123456789X"))
    v["code"] = "{:06d}".format(rng.randint(0, 999999))
    return v


def compose(rng, fam, F):
    label, style = fam["label"], fam["style"]
    slots = fill_slots(rng, F["slots"])
    op, cl, am = F["openers"], F["closers"], F["amount_clauses"]
    tone = label if style == "collector" else style

    core = rng.choice(fam["cores"])
    if style != "group" and rng.random() < 0.15:
        other = rng.choice([c for c in fam["cores"] if c != core])
        core = core + rng.choice(["，", "。", "！", " ", "，"]) + other

    head, lead, tail = "", [], []
    if style in ("collector", "thirdparty") and rng.random() < HEADER_P[label]:
        br = rng.choice(op["header_brackets"])
        head = br[0] + slots["platform"] + br[1]
    if style == "article":
        if rng.random() < 0.2:
            head = rng.choice(["（本报讯）", "转发：", "【{}新闻】".format(slots["city"]), "据媒体报道，"])
    elif style != "group":
        if rng.random() < 0.5:
            g = rng.choice(op["greeting"][tone])
            if g:
                lead.append(g)
        addr_p = {"collector": 0.5, "reply": 0.0, "thirdparty": 0.0, "everyday": 0.3}[style]
        if rng.random() < addr_p:
            if style == "everyday":
                pool = op["address_everyday"]
            elif label == "compliant":
                pool = op["address_compliant"]
            else:
                pool = op["address_rude"]
            lead.append(rng.choice(pool))

    body = [core]
    amount_p = {"collector": 0.35 if label == "compliant" else 0.25, "reply": 0.1}.get(style, 0.0)
    if rng.random() < amount_p:
        key = "reply" if style == "reply" else ("compliant" if label == "compliant" else "violating")
        clause = rng.choice(am[key])
        if rng.random() < 0.5:
            body.insert(0, clause)
        else:
            body.append(clause)

    closer_key = {"collector": label, "reply": "reply", "thirdparty": "thirdparty",
                  "group": "thirdparty", "everyday": "everyday"}.get(style)
    if closer_key and rng.random() < 0.4:
        c = rng.choice(cl[closer_key])
        if c:
            tail.append(c)

    sep = rng.choice(["，", "，", "，", "。", "！", " ", ""]) if label != "compliant" else rng.choice(["，", "，", "。", "。", " "])
    lead_sep = rng.choice(["，", "：", " ", "！", ","])
    term = rng.choice(TERMINALS[label]) if style != "article" else rng.choice(["。", "", "。"])
    text = head
    if lead:
        text += " ".join(lead) if len(lead) > 1 and rng.random() < 0.3 else "，".join(lead)
        text += lead_sep
    text += sep.join(body + tail)
    text = text.rstrip(ZH_PUNCT + " ,.!?") + term
    text = text.format_map(slots)

    r = rng.random()
    if r < 0.07:  # drop punctuation
        repl = rng.choice([" ", ""])
        text = "".join(repl if ch in ZH_PUNCT else ch for ch in text).strip()
    elif r < 0.15:  # half-width punctuation
        text = "".join(ASCII_MAP.get(ch, ch) for ch in text)
    if rng.random() < 0.07:
        present = [pair for pair in F["typos"] if pair[0] in text]
        if present:
            a, b = rng.choice(present)
            text = text.replace(a, b, 1)
    return " ".join(text.split())


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    default_frag = os.path.join(here, "..", "data", "corpus", "fragments.json")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=1600)
    ap.add_argument("--out", default="data/corpus/generated.csv")
    ap.add_argument("--fragments", default=default_frag)
    args = ap.parse_args(argv)

    with open(args.fragments, encoding="utf-8") as fh:
        F = json.load(fh)
    # label -> cue -> [families]; a row draws a cue uniformly, then a family
    by_label = {}
    for fam in sorted(F["families"], key=lambda f: f["id"]):
        by_label.setdefault(fam["label"], {}).setdefault(fam["cue"], []).append(fam)

    rng = random.Random(args.seed)
    quotas = [(lab, int(round(args.count * share))) for lab, share in LABEL_SHARE]
    quotas[-1] = (quotas[-1][0], args.count - sum(q for _, q in quotas[:-1]))
    plan = [lab for lab, q in quotas for _ in range(q)]
    rng.shuffle(plan)

    seen, rows = set(), []
    for lab in plan:
        for _attempt in range(500):
            cues = by_label[lab]
            fam = rng.choice(cues[rng.choice(sorted(cues))])
            text = compose(rng, fam, F)
            if text not in seen:
                seen.add(text)
                rows.append((text, fam["label"], fam["cue"], fam["id"]))
                break
        else:
            sys.exit("could not draw a new unique %s message; lower --count" % lab)

    out_dir = os.path.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["text", "label", "cue", "family"])
        w.writerows(rows)
    print("wrote %d rows to %s" % (len(rows), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
