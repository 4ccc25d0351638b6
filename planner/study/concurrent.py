"""Several studies solved side by side: the business case's strategies and growth years.

A deterministic solve counts its work, so solving it beside another leaves its plan unchanged; only
its wall-clock ceiling is widened (by the number solved at once, within the command's deadline), so
that sharing the cores does not cut it short. CP-SAT and numpy release the interpreter lock, so two
solves on two cores finish sooner than one after the other.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from planner.checker import check_plan
from planner.domain import Estate
from planner.plan import Plan
from planner.profiles.overheads import OverheadProfile
from planner.solver.clock import WALL_ALLOWANCE
from planner.study.pipeline import Study, load_overhead, run_study

MIN_SOLVE_S = 0.5  # a solve the deadline leaves less time than this is not started
SIDE_BY_SIDE = 2  # solves at once at most (each CP-SAT solve has its own workers too)
Key = TypeVar("Key")


@dataclass(frozen=True)
class Job:
    """One study to solve: its estate, overhead profile (None: composed from the estate), time limit and warm start."""

    estate: Estate
    overhead: OverheadProfile | None
    time_limit_s: float
    hint: Plan | None = None


def warm_start(estate: Estate, overhead: OverheadProfile | None, plan: Plan) -> Plan | None:
    """`plan` when it is a plan of `estate` (every rule and capacity checked), to start that estate's search from."""
    return plan if not check_plan(estate, overhead or load_overhead(estate), plan) else None


def run_studies(
    jobs: Mapping[Key, Job], *, stop: threading.Event | None = None, deadline: float | None = None
) -> dict[Key, Study | Exception]:
    """Each job's study (or the exception its solve raised), SIDE_BY_SIDE at a time, in the jobs' order."""
    at_once = max(1, min(SIDE_BY_SIDE, os.cpu_count() or 1, len(jobs)))

    def one(job: Job) -> Study:
        limit, wall = job.time_limit_s, float(at_once)
        if deadline is not None:  # a solve that starts late gets what the deadline leaves, or none
            left = deadline - time.monotonic()
            if left < MIN_SOLVE_S:
                raise TimeoutError("not planned: the time limit was reached first (raise time_limit_s)")
            limit = min(limit, left)
            wall = max(1.0, min(wall, left / limit))
        token = WALL_ALLOWANCE.set(wall)
        try:
            return run_study(job.estate, overhead=job.overhead, time_limit_s=limit, stop=stop, hint=job.hint)
        finally:
            WALL_ALLOWANCE.reset(token)

    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="study") as pool:
        futures = {key: pool.submit(one, job) for key, job in jobs.items()}
    out: dict[Key, Study | Exception] = {}
    for key, future in futures.items():
        error = future.exception()
        out[key] = error if isinstance(error, Exception) else future.result()
    return out
