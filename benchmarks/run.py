"""Run instances in fresh processes (one per core), compare the methods and summarise per set."""

from __future__ import annotations

import csv
import multiprocessing as mp
import resource
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from benchmarks.instances import Instance
from benchmarks.methods import Outcome, run_engine, run_ffd, run_textbook


@dataclass(frozen=True)
class Row:
    """One instance's results for every method."""

    set_name: str
    instance: str
    workloads: int
    bound: float | None
    optimum: int | None
    peer_best: int | None
    engine: float | None  # servers on one-model instances, CAPEX on several-model estates
    engine_capex: float | None
    ffd: float | None
    textbook: float | None
    engine_seconds: float
    textbook_seconds: float
    status: str
    violations: int
    peak_mb: float


def _unit_bound(outcome: Outcome, estate_cost: float) -> float | None:
    return None if outcome.bound is None else outcome.bound / estate_cost if estate_cost else outcome.bound


def run_instance(args: tuple[Instance, float, bool]) -> Row:
    """Every method on one instance, in this (fresh) process; peak memory is this process's."""
    instance, time_limit_s, with_textbook = args
    estate = instance.estate(time_limit_s)
    engine = run_engine(estate, time_limit_s)
    ffd = run_ffd(estate)
    textbook = run_textbook(estate, time_limit_s) if with_textbook else Outcome(None, None, None, 0.0, "skipped")
    single_cost = estate.server_models[0].unit_cost if len(estate.server_models) == 1 else 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Row(
        instance.set_name,
        instance.name,
        sum(w.replicas for w in estate.workloads),
        _unit_bound(engine, single_cost) if single_cost else engine.bound,
        instance.optimum,
        instance.peer_best,
        # one model: servers (what the published optima count); several: CAPEX, what the engine minimises
        engine.servers if single_cost else engine.capex,
        engine.capex,
        ffd.servers if single_cost else ffd.capex,
        textbook.servers if single_cost else textbook.capex,
        round(engine.seconds, 2),
        round(textbook.seconds, 2),
        engine.status,
        engine.violations,
        round(peak, 1),
    )


def run_all(
    jobs: list[tuple[Instance, float, bool]], processes: int = 2, echo: bool = True, on_row: Callable[[Row], None] | None = None
) -> list[Row]:
    """Run the jobs on `processes` cores, each instance in a fresh process, printing rows (and
    handing them to `on_row`) as they finish."""
    rows: list[Row] = []
    began = time.monotonic()
    ctx = mp.get_context("spawn")
    with ctx.Pool(processes, maxtasksperchild=1) as pool:
        for row in pool.imap_unordered(run_instance, jobs):
            rows.append(row)
            if on_row is not None:
                on_row(row)
            if echo:
                print(
                    f"[{time.monotonic() - began:7.1f}s] {row.set_name:14} {row.instance:28} engine {row.engine} "
                    f"ffd {row.ffd} textbook {row.textbook} opt {row.optimum} bound {row.bound} "
                    f"({row.engine_seconds}s, {row.peak_mb} MB){' VIOLATIONS' if row.violations else ''}",
                    flush=True,
                )
    order = {(j[0].set_name, j[0].name): n for n, j in enumerate(jobs)}
    return sorted(rows, key=lambda r: order[r.set_name, r.instance])


def _textbook_optimal(r: Row) -> bool:
    """The textbook model reached the optimum, or the bound when no optimum is published."""
    floor = r.optimum if r.optimum is not None else r.bound
    return r.textbook is not None and floor is not None and r.textbook <= floor + 1e-9


def summarise(rows: list[Row]) -> list[dict[str, object]]:
    """Per set: instances, at optimum per method, total excess over the optimum, and against the
    peer; the textbook model's columns count the instances it ran on (all in the quick tier, a
    sample in the full tier): `engine_vs_textbook` is how often the engine needs fewer servers
    (less CAPEX) where the textbook model is not optimal."""
    by_set: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_set[row.set_name].append(row)
    out = []
    for name, group in by_set.items():
        known = [r for r in group if r.optimum is not None]
        ran = [r for r in group if r.textbook is not None or r.textbook_seconds > 0]
        ran_known = [r for r in ran if r.optimum is not None]
        short = [r for r in ran if not _textbook_optimal(r)]
        fewer = sum(1 for r in short if r.engine is not None and (r.textbook is None or r.engine < r.textbook))

        def at_opt(value: str, known: list[Row] = known) -> int:
            return sum(1 for r in known if getattr(r, value) is not None and getattr(r, value) <= r.optimum)

        def excess(value: str, known: list[Row] = known) -> int | str:
            if any(getattr(r, value) is None for r in known):
                return "n/a"
            return sum(getattr(r, value) - r.optimum for r in known)  # type: ignore[operator]

        peers = [r for r in group if r.peer_best is not None and r.engine is not None]
        out.append(
            {
                "set": name,
                "instances": len(group),
                "known_optimum": len(known),
                "engine_at_opt": at_opt("engine"),
                "ffd_at_opt": at_opt("ffd"),
                "engine_excess": excess("engine"),
                "ffd_excess": excess("ffd"),
                "textbook_at_opt": f"{at_opt('textbook', ran_known)}/{len(ran_known)}" if ran else "",
                "textbook_excess": excess("textbook", ran_known) if ran else "",
                "engine_vs_textbook": f"{fewer}/{len(short)} fewer" if ran else "",
                "engine_vs_peer": f"{sum(1 for r in peers if r.engine <= r.peer_best)}/{len(peers)} not worse" if peers else "",
                "max_engine_s": max(r.engine_seconds for r in group),
                "max_peak_mb": max(r.peak_mb for r in group),
                "violations": sum(r.violations for r in group),
            }
        )
    return out


def as_dicts(rows: list[Row]) -> list[dict[str, object]]:
    """Rows as plain dicts (for CSV)."""
    return [asdict(r) for r in rows]


def write_rows(path: Path, rows: list[Row], append: bool = False) -> None:
    """Rows to a results CSV, with its header unless appending to a file that has one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = not append or not path.exists() or path.stat().st_size == 0
    with path.open("a" if append else "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Row)])
        if header:
            writer.writeheader()
        writer.writerows(as_dicts(rows))


def read_rows(path: str) -> list[Row]:
    """Rows back from a results CSV written by a run."""

    def num(text: str) -> float | None:  # integers stay integers, so a resumed file is rewritten as it was
        if text in ("", "None"):
            return None
        return int(text) if text.lstrip("-").isdigit() else float(text)

    out = []
    with open(path, newline="") as handle:
        for r in csv.DictReader(handle):
            out.append(
                Row(
                    r["set_name"],
                    r["instance"],
                    int(r["workloads"]),
                    num(r["bound"]),
                    None if r["optimum"] in ("", "None") else int(r["optimum"]),
                    None if r["peer_best"] in ("", "None") else int(r["peer_best"]),
                    num(r["engine"]),
                    num(r["engine_capex"]),
                    num(r["ffd"]),
                    num(r["textbook"]),
                    float(r["engine_seconds"]),
                    float(r["textbook_seconds"]),
                    r["status"],
                    int(r["violations"]),
                    float(r["peak_mb"]),
                )
            )
    return out
