#!/usr/bin/env python3
"""The usual Python alternative to collectguard, for benchmarking:
jieba + scikit-learn TfidfVectorizer(tokenizer=jieba.lcut, sublinear_tf=True)
+ LogisticRegression(max_iter=1000), trained on data/train.csv (text,label).

    python3 scripts/sklearn_pipeline.py fit --data data/train.csv [--test data/test.csv] [--model m.pkl]
    python3 scripts/sklearn_pipeline.py predict --model m.pkl messages.txt > labels.txt

`fit` prints the fit time (and held-out accuracy with --test) to stderr; with --model it
pickles the fitted pipeline. `predict` reads one message per line (or stdin for `-`),
predicts every line end to end from raw text, writes one label per line to stdout and
prints messages/s to stderr. Without --model, `predict` fits on --data first (not timed).
"""
import argparse
import csv
import pickle
import sys
import time

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

jieba.setLogLevel(60)  # silence "Building prefix dict..." chatter


def tokenize(text):
    # A module-level function (not the bound jieba.lcut) so the pipeline pickles small.
    return jieba.lcut(text)


def load(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def build():
    return make_pipeline(
        TfidfVectorizer(tokenizer=tokenize, token_pattern=None, sublinear_tf=True),
        LogisticRegression(max_iter=1000),
    )


def fit(data):
    t0 = time.perf_counter()
    jieba.initialize()
    t1 = time.perf_counter()
    texts, labels = load(data)
    pipe = build()
    t2 = time.perf_counter()
    pipe.fit(texts, labels)
    t3 = time.perf_counter()
    print(f"sklearn_pipeline: jieba load {t1 - t0:.3f} s; fit on {len(texts)} messages {t3 - t2:.3f} s",
          file=sys.stderr)
    return pipe


def cmd_fit(a):
    pipe = fit(a.data)
    if a.test:
        texts, labels = load(a.test)
        pred = pipe.predict(texts)
        acc = sum(p == l for p, l in zip(pred, labels)) / len(labels)
        print(f"sklearn_pipeline: held-out {a.test}: accuracy {acc:.4f} on {len(labels)} messages",
              file=sys.stderr)
    if a.model:
        with open(a.model, "wb") as f:
            pickle.dump(pipe, f, protocol=pickle.HIGHEST_PROTOCOL)


def cmd_predict(a):
    if a.model:
        with open(a.model, "rb") as f:
            pipe = pickle.load(f)
    else:
        pipe = fit(a.data)
    jieba.initialize()
    src = sys.stdin if a.input == "-" else open(a.input, encoding="utf-8", errors="replace")
    out = sys.stdout
    n = 0
    t0 = time.perf_counter()
    batch = []

    def flush():
        if batch:
            out.write("\n".join(pipe.predict(batch)))
            out.write("\n")
            batch.clear()

    for line in src:
        batch.append(line.rstrip("\r\n"))
        n += 1
        if len(batch) >= a.batch:
            flush()
    flush()
    out.flush()
    dt = time.perf_counter() - t0
    print(f"sklearn_pipeline: predicted {n} messages in {dt:.3f} s: {n / dt if dt else 0:.0f} messages/s",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fit", help="train and time the fit")
    f.add_argument("--data", default="data/train.csv")
    f.add_argument("--test", default=None, help="held-out CSV to report accuracy on")
    f.add_argument("--model", default=None, help="where to pickle the fitted pipeline")
    f.set_defaults(func=cmd_fit)
    p = sub.add_parser("predict", help="predict one label per input line")
    p.add_argument("input", nargs="?", default="-")
    p.add_argument("--model", default=None, help="pickled pipeline from `fit --model`")
    p.add_argument("--data", default="data/train.csv", help="training CSV when no --model")
    p.add_argument("--batch", type=int, default=10000, help="lines per predict call")
    p.set_defaults(func=cmd_predict)
    a = ap.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
