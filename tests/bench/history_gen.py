#!/usr/bin/env python3
"""history_gen.py TEMPLATE DIR RUNS [CASES [SEED]] - synthetic result files for the history
benchmark (tests/bench/history_bench.sh): RUNS files DIR/rNNNN.json, each a copy of TEMPLATE
(tests/analysis/data/kvm.json: its shape, its tiers L0..L2, its nestbench block) with
CASES cases per tier (default 30) cloned from the template's cases that have samples (a
parameter `bench=K` keeps their keys distinct), a start time an hour apart, and 7 samples
per case drawn around the template case's median with 1 % noise.  Seeded (default 16): the
same arguments write the same bytes."""
import copy
import json
import random
import statistics
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: history_gen.py TEMPLATE DIR RUNS [CASES [SEED]]")
    template, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ncases = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 16)
    base = json.load(open(template))
    base["tiers"] = [t for t in base["tiers"] if t["cases"]][:3]
    for t in base["tiers"]:
        t["cases"] = cases_of(t["cases"], ncases)
    for i in range(runs):
        doc = one_run(base, i, rng)
        with open("%s/r%04d.json" % (out, i + 1), "w") as f:
            json.dump(doc, f, separators=(",", ":"))


def cases_of(cases, n):
    """n cases cloned round-robin from those with samples, each with its median kept."""
    src = [c for c in cases if c["samples"]]
    out = []
    for k in range(n):
        c = copy.deepcopy(src[k % len(src)])
        c["params"]["bench"] = str(k)
        c["key"] = "%s bench=%d" % (c["key"], k)
        c["_median"] = statistics.median(s["value"] for s in c["samples"])
        c["samples"] = c["samples"][:1]
        out.append(c)
    return out


def one_run(base, i, rng):
    doc = copy.deepcopy(base)
    hour = 3600 * i
    doc["started_utc"] = stamp(hour)
    doc["finished_utc"] = stamp(hour + 600)
    for t in doc["tiers"]:
        for c in t["cases"]:
            m = c.pop("_median")
            proto = c["samples"][0]
            c["samples"] = []
            for r in range(7):
                s = dict(proto, visit=r + 1, round=r, seq=r + 1)
                v = round(m * (1 + rng.gauss(0, 0.01)), 6)
                s["value"] = s["ns_per_op"] = v
                c["samples"].append(s)
    return doc


def stamp(sec):
    """2026-01-01T00:00:00Z plus sec seconds (no datetime: the same text everywhere)."""
    d, sec = divmod(sec, 86400)
    y, m = 2026, 1
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    while d >= days[m - 1]:
        d -= days[m - 1]
        m += 1
        if m > 12:
            m, y = 1, y + 1
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d + 1, sec // 3600, sec % 3600 // 60, sec % 60)


if __name__ == "__main__":
    main()
