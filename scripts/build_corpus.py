#!/usr/bin/env python3
"""Builds data/train.csv and data/test.csv from the corpus sources.

Sources (see data/README.md):
  data/corpus/hand/*.csv     hand-written messages, columns text,label,cue,batch
  data/corpus/generated.csv  seeded generator output (scripts/generate.py), columns text,label,cue,family
  COLD train split           safe (label 0) comments as everyday compliant text

The split is by writing batch or template family, never by row: every fifth batch of
each hand-written file, every family whose hash falls in one fifth, and one fifth of the
COLD comments go to test. Test rows that are exact or near duplicates (character
5-gram Jaccard >= 0.8) of any train row are dropped. Generated rows are capped below
half of each split. Deterministic: the same inputs give byte-identical outputs.

Usage: python3 scripts/build_corpus.py [--cold ../shared/data/cold/train.csv]
"""
import argparse
import csv
import glob
import hashlib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLD_ROWS = 3000          # safe COLD comments taken in all
NEAR_DUP = 0.8
DEV_NEAR = 0.5          # 5-gram Jaccard to a dev-set message past which a row is dropped


def grams(text, n=5):
    t = "".join(text.split())
    if len(t) < n:
        return {t}
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 1.0


def bucket(key, mod=5):
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % mod


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cold", default=os.path.join(ROOT, "..", "shared", "data", "cold", "train.csv"))
    ap.add_argument("--devset", default=os.path.join(ROOT, "..", "shared", "devset"),
                    help="shared dev sets: corpus rows close to any of their messages are dropped")
    args = ap.parse_args()
    train, test = [], []
    seen = set()

    def add(rows, to_test):
        for r in rows:
            text = " ".join(r["text"].split())
            if not text or text in seen:
                continue
            seen.add(text)
            (test if to_test else train).append(
                {"text": text, "label": r["label"], "cue": r["cue"], "source": r["source"],
                 "group": r.get("group") or r["source"]})

    for path in sorted(glob.glob(os.path.join(ROOT, "data", "corpus", "hand", "*.csv"))):
        name = os.path.splitext(os.path.basename(path))[0]
        for r in read_csv(path):
            r["source"] = "hand"
            r["cue"] = r.get("cue") or name
            r["group"] = r.get("group") or "core"
            add([r], int(r["batch"]) % 5 == 3)

    gen_path = os.path.join(ROOT, "data", "corpus", "generated.csv")
    if os.path.exists(gen_path):
        gen = read_csv(gen_path)
        hand_train = sum(1 for r in train if r["source"] == "hand")
        hand_test = sum(1 for r in test if r["source"] == "hand")
        gen_train = [r for r in gen if bucket(r["family"]) != 0]
        gen_test = [r for r in gen if bucket(r["family"]) == 0]
        for r in gen:
            r["source"] = "generated"
        # Generated rows stay under half of each split (hand + COLD rows are the rest).
        add(gen_train[: int(hand_train * 0.45)], False)
        add(gen_test[: int(hand_test * 0.45)], True)

    cold = [r for r in read_csv(args.cold) if r["label"] == "0"]
    cold.sort(key=lambda r: hashlib.sha256(r["TEXT"].encode("utf-8")).hexdigest())
    for r in cold[:COLD_ROWS]:
        row = {"text": r["TEXT"], "label": "compliant", "cue": "C-everyday", "source": "cold"}
        add([row], bucket("cold:" + r["TEXT"]) == 0)

    # Drop rows that resemble a message of the shared dev sets (they are for measuring only):
    # a writer who worked from the labelling contract's examples can come close to one.
    dev_grams = []
    for name in ("dev.csv", "dev_evasion.csv", "dev_hard.csv", "dev_articles.csv"):
        path = os.path.join(args.devset, name)
        if os.path.exists(path):
            dev_grams += [grams(r["text"]) for r in read_csv(path)]
    dev_index = {}
    for i, g in enumerate(dev_grams):
        for x in g:
            dev_index.setdefault(x, []).append(i)

    def near_dev(text):
        g = grams(text)
        cands = {i for x in g for i in dev_index.get(x, ())}
        return any(jaccard(g, dev_grams[i]) >= DEV_NEAR for i in cands)

    before = len(train) + len(test)
    train = [r for r in train if not near_dev(r["text"])]
    test = [r for r in test if not near_dev(r["text"])]
    print(f"dropped {before - len(train) - len(test)} rows close to a shared dev-set message")

    # Drop test rows that nearly duplicate a train row.
    index = {}
    train_grams = []
    for i, r in enumerate(train):
        g = grams(r["text"])
        train_grams.append(g)
        for x in g:
            index.setdefault(x, []).append(i)
    kept, dropped = [], 0
    for r in test:
        g = grams(r["text"])
        cands = set()
        for x in g:
            cands.update(index.get(x, ()))
        if any(jaccard(g, train_grams[i]) >= NEAR_DUP for i in cands):
            dropped += 1
            continue
        kept.append(r)
    test = kept

    for name, rows in (("train.csv", train), ("test.csv", test)):
        with open(os.path.join(ROOT, "data", name), "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["text", "label", "cue", "source", "group"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    for name, rows in (("train", train), ("test", test)):
        by = {}
        for r in rows:
            by[r["label"]] = by.get(r["label"], 0) + 1
        src = {}
        for r in rows:
            src[r["source"]] = src.get(r["source"], 0) + 1
        print(f"{name}: {len(rows)} rows, labels {dict(sorted(by.items()))}, sources {dict(sorted(src.items()))}")
    print(f"dropped {dropped} near-duplicate test rows")


if __name__ == "__main__":
    sys.exit(main())
