#!/usr/bin/env python3
"""Prints the count tables of data/README.md from data/train.csv and data/test.csv.

    python3 scripts/datasheet_counts.py
"""
import collections
import csv
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = ["compliant", "threatening", "harassing"]
SOURCES = ["hand", "generated", "cold"]


def read(name):
    with open(os.path.join(ROOT, "data", name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main():
    splits = {"train": read("train.csv"), "test": read("test.csv")}
    splits["all"] = splits["train"] + splits["test"]
    total = len(splits["all"])
    print("| split | rows | " + " | ".join(LABELS + SOURCES) + " |")
    print("|" + " --- |" * (2 + len(LABELS) + len(SOURCES)))
    for name, rows in splits.items():
        lab = collections.Counter(r["label"] for r in rows)
        src = collections.Counter(r["source"] for r in rows)
        cells = [f"{lab[l]:,}" + (f" ({lab[l] / total:.0%})" if name == "all" else "") for l in LABELS]
        cells += [f"{src[s]:,}" for s in SOURCES]
        print(f"| {name} | {len(rows):,} | " + " | ".join(cells) + " |")
    print()
    print("| group | rows | " + " | ".join(LABELS) + " | in test |")
    print("|" + " --- |" * (3 + len(LABELS)))
    groups = collections.Counter(r["group"] for r in splits["all"])
    for g, n in sorted(groups.items(), key=lambda x: -x[1]):
        lab = collections.Counter(r["label"] for r in splits["all"] if r["group"] == g)
        test = sum(r["group"] == g for r in splits["test"])
        print(f"| {g} | {n:,} | " + " | ".join(f"{lab[l]:,}" for l in LABELS) + f" | {test:,} |")
    print()
    print("| cue | rows | hand | generated | cold |")
    print("| --- | --- | --- | --- | --- |")
    cues = collections.Counter(r["cue"] for r in splits["all"])
    for c in sorted(cues):
        src = collections.Counter(r["source"] for r in splits["all"] if r["cue"] == c)
        print(f"| {c} | {cues[c]:,} | " + " | ".join(f"{src[s]:,}" for s in SOURCES) + " |")
    lengths = sorted(len(r["text"]) for r in splits["all"] if r["source"] != "cold")
    print()
    print(f"Lengths (hand and generated rows): {lengths[0]} to {lengths[-1]} characters, median "
          f"{lengths[len(lengths) // 2]}; {sum(l >= 100 for l in lengths):,} rows of 100 characters or more, "
          f"{sum(l >= 300 for l in lengths):,} of 300 or more.")


if __name__ == "__main__":
    main()
