#!/usr/bin/env python3
"""Pipes a text file through collectguard with Spark's RDD.pipe in local mode.

    python3 scripts/spark_pipe.py --bin target/release/collectguard --input in.txt \
        --partitions 4 --out out.txt -- classify --format jsonl --threads 1

Each partition is one collectguard process reading its lines on stdin; the output lines
are collected in partition order and written to --out, one per line.
"""
import argparse
import os
import shlex
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("args", nargs=argparse.REMAINDER, help="collectguard arguments after --")
    a = ap.parse_args()
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    from pyspark import SparkConf, SparkContext, SparkFiles

    conf = (SparkConf().setMaster(f"local[{a.partitions}]").setAppName("collectguard-spark-check")
            .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false").set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1"))
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    try:
        sc.addFile(os.path.abspath(a.bin))
        name = os.path.basename(a.bin)
        with open(a.input, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        rdd = sc.parallelize(lines, a.partitions)
        if rdd.getNumPartitions() != a.partitions:
            sys.exit(f"spark_pipe: {rdd.getNumPartitions()} partitions, wanted {a.partitions}")
        # The binary is shipped with addFile, as on a cluster, and run from where Spark put it.
        cmd = [SparkFiles.get(name)] + args
        out = rdd.pipe(" ".join(shlex.quote(c) for c in cmd), checkCode=False).collect()
    finally:
        sc.stop()
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in out))
    print(f"spark_pipe: {len(lines)} lines in, {len(out)} lines out over {a.partitions} partitions",
          file=sys.stderr)


if __name__ == "__main__":
    main()
