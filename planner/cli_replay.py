"""`planner replay` and `planner plan --replay`: a plan run against a history, interval by interval.

A plan made on last month's history, checked on this month's: the later history is read with the
same input (its workloads, sizes and settings), and every server's load is replayed on it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from planner.domain import Estate
from planner.input_errors import InputError, InputProblem
from planner.io.planfile import read_plan
from planner.limits import printable
from planner.study.pipeline import Study, load_overhead, prepare_estate
from planner.study.replay import Replay, replay_later, replay_plan

Reader = Callable[..., Estate]


def with_held_out(study: Study, later: Estate) -> Study:
    """The study with its plan replayed on a later history as well (`--replay`)."""
    if later.usage is None:
        raise InputError([InputProblem("--replay", None, None, "the file holds no utilization history")])
    return replace(study, held_out=replay_later(study.estate, study.overhead, study.result.plan, later.usage))


def cmd_replay(args: argparse.Namespace, read: Reader) -> int:
    """Replay a plan workbook on a history; print the verdict and each server's worst moment."""
    if not Path(args.plan).is_file():
        raise InputError([InputProblem(Path(args.plan).name, None, None, f"file not found: {args.plan}")])
    try:
        plan = read_plan(args.plan)
    except (KeyError, ValueError, OSError) as exc:
        message = f"not a plan workbook written by the planner ({type(exc).__name__}: {exc})"
        raise InputError([InputProblem(Path(args.plan).name, None, None, message)]) from exc
    estate = read(args)
    if estate.usage is None:
        raise InputError([InputProblem("--usage", None, None, "give the history to replay on: --usage FILE")])
    overhead = load_overhead(estate)
    prepared = prepare_estate(estate, overhead)
    unknown = sorted({p.workload for p in plan.placements} - set(prepared.workloads_by_name))
    if unknown:
        shown = ", ".join(unknown[:5]) + ("..." if len(unknown) > 5 else "")
        message = f"{len(unknown)} workloads of the plan are not in the input ({shown}): give the input it was made from"
        raise InputError([InputProblem(Path(args.plan).name, None, None, message)])
    print_replay(replay_plan(prepared, overhead, plan, prepared.usage.source if prepared.usage else ""))
    return 0


def print_replay(replay: Replay, shown: int = 10) -> None:
    """The replay's verdict and its busiest servers, one line each."""
    print(printable(replay.verdict()))
    for s in sorted(replay.servers, key=lambda s: -s.peak_pct)[:shown]:
        print(
            f"  {s.server_id:<12} {s.model:<20} peak {s.peak_pct:>6.1f}% {s.peak_resource:<6} at {s.peak_time}; "
            f"{s.over_ceiling} intervals over the ceiling, {s.over_capacity} over capacity"
        )
