"""`python -m benchmarks [--tier quick|full] [--sets ...] [--out results.csv]`

Prints, per instance and per set, this engine against first-fit decreasing and the textbook
CP-SAT model given the same time, on the public sets in ../shared/benchdata (skipped cleanly
when absent) and on generated estates. Ratios and counts, never wall-clock assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.instances import BENCHDATA, SKIPPED, Instance, bpplib, caprara_toth, generated_estate, vector
from benchmarks.run import read_rows, run_all, summarise, write_rows

TIERS = {  # per set: (instances per set in the quick tier, time limit per instance)
    "bpplib": (2, 10.0),
    "ct": (1, 30.0),
    "vector": (2, 10.0),  # the floors set no limit; at 10 s all ~960 take about half an hour on two cores
}
# The full tier's longer limit for the triplet instances, which the vector floor names: their exact covers
# (500 items, ~1,700 patterns) need branch and bound for 1-48 s on one core. Ten of them take that long.
FULL_LIMITS = {"Triplet d3": 60.0}


def _sample(instances: list[Instance], per_set: int | None) -> list[Instance]:
    if per_set is None:
        return instances
    by_set: dict[str, list[Instance]] = {}
    for inst in instances:
        by_set.setdefault(inst.set_name, []).append(inst)
    out = []
    for group in by_set.values():
        step = max(1, len(group) // per_set)
        out += group[::step][:per_set]
    return out


def build_jobs(
    tier: str, sets: list[str], root: Path, textbook: bool, per_set: int | None = None
) -> list[tuple[Instance, float, bool]]:
    """The (instance, time limit, run textbook?) jobs of a tier.

    The quick tier runs a sample of each public set (`per_set` widens or narrows it); the full tier runs every
    instance and gives the textbook model the same time on that sample only (on all ~3,000 it would take ~8 hours).
    """
    quick = tier == "quick"
    jobs: list[tuple[Instance, float, bool]] = []
    public = {"bpplib": bpplib, "ct": caprara_toth, "vector": vector}
    if root.is_dir():
        for name, loader in public.items():
            if name in sets:
                limit = TIERS[name][1]
                if quick:
                    limit = min(limit, 10.0)
                instances = list(loader(root))
                sampled = _sample(instances, per_set or TIERS[name][0])
                if quick:
                    jobs += [(inst, limit, textbook) for inst in sampled]
                else:  # every instance; the textbook model (as slow as the engine's limit) on the quick sample
                    chosen = {(inst.set_name, inst.name) for inst in sampled}
                    jobs += [
                        (inst, FULL_LIMITS.get(inst.set_name, limit), textbook and (inst.set_name, inst.name) in chosen)
                        for inst in instances
                    ]
    else:
        print(f"benchmark data not found at {root}: public sets skipped", file=sys.stderr)
    if "generated" in sets:
        sizes = [(1000, 60.0), (10_000, 60.0)] if quick else [(1000, 60.0), (10_000, 60.0), (100_000, 600.0)]
        jobs += [(generated_estate(n, time_limit_s=limit), limit, textbook and n <= 1000) for n, limit in sizes]
    return jobs


def markdown(table: list[dict[str, object]]) -> str:
    """A list of dicts as a Markdown table."""
    if not table:
        return ""
    keys = list(table[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row[k]) for k in keys) + " |" for row in table]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run a tier and print the per-instance rows and the per-set summary."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--tier", choices=["quick", "full"], default="quick")
    parser.add_argument("--sets", nargs="+", default=["bpplib", "ct", "vector", "generated"])
    parser.add_argument("--data", type=Path, default=BENCHDATA)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results.csv"))
    parser.add_argument("--no-textbook", action="store_true", help="skip the textbook CP-SAT baseline")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--per-set",
        type=int,
        help="instances per set sampled by the quick tier and by the full tier's textbook runs (default 2; CT 1)",
    )
    parser.add_argument("--resume", action="store_true", help="keep the rows already in --out and run only the rest")
    parser.add_argument("--summary-of", type=Path, nargs="+", help="print the per-set summary of earlier results CSVs and stop")
    args = parser.parse_args(argv)
    if args.summary_of:
        print(markdown(summarise([row for path in args.summary_of for row in read_rows(str(path))])))
        return 0
    jobs = build_jobs(args.tier, args.sets, args.data, not args.no_textbook, args.per_set)
    for note in SKIPPED:
        print(f"skipped {note}")
    print(
        f"{len(jobs)} instances, tier {args.tier}, {args.processes} processes, {date.today()}, "
        f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        flush=True,
    )
    began = time.monotonic()
    # Rows land in the CSV as they finish; --resume keeps those and runs only the instances missing.
    done = read_rows(str(args.out)) if args.resume and args.out.exists() else []
    seen = {(r.set_name, r.instance) for r in done}
    todo = [job for job in jobs if (job[0].set_name, job[0].name) not in seen]
    if done:
        print(f"resuming: {len(done)} rows kept from {args.out}, {len(todo)} to run", flush=True)
    write_rows(args.out, done)
    rows = run_all(todo, args.processes, on_row=lambda row: write_rows(args.out, [row], append=True))
    order = {(job[0].set_name, job[0].name): n for n, job in enumerate(jobs)}
    rows = sorted(done + rows, key=lambda r: order.get((r.set_name, r.instance), len(order)))
    write_rows(args.out, rows)
    print()
    print(markdown(summarise(rows)))
    print(f"\n{len(rows)} instances in {time.monotonic() - began:.0f}s; rows in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
