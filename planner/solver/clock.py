"""The solve's time budget, in wall-clock seconds or in deterministic work.

By default every step stops on the wall clock, which uses the machine fully but lets two runs
differ. With `deterministic`, each CP-SAT step is limited in CP-SAT's deterministic time (a
work count, roughly seconds on a current core), parallel workers are interleaved, and the
budget is spent in that unit: a fixed seed then gives the same plan on any machine. The wall
clock still stops a deterministic run at three times the limit, as a safety net.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

SAFETY = 3.0  # wall-clock multiple of the limit at which a deterministic run is stopped anyway


@dataclass
class Clock:
    """Budget of one solve: elapsed/remaining in its own unit, and CP-SAT limits set to match."""

    limit: float
    deterministic: bool = False
    started: float = field(default_factory=time.monotonic)
    work: float = 0.0  # deterministic seconds charged so far

    def wall(self) -> float:
        """Wall-clock seconds since the start."""
        return time.monotonic() - self.started

    def elapsed(self) -> float:
        """Budget used: deterministic work, or wall-clock seconds."""
        return self.work if self.deterministic else self.wall()

    def remaining(self) -> float:
        """Budget left (negative once over); a deterministic run also ends at the safety limit."""
        if self.deterministic and self.wall() > SAFETY * self.limit:
            return 0.0
        return self.limit - self.elapsed()

    def wall_left(self) -> float:
        """Wall-clock seconds left before the hard stop (the limit, or the safety limit)."""
        return (SAFETY if self.deterministic else 1.0) * self.limit - self.wall()

    def configure(self, solver: cp_model.CpSolver, seconds: float, workers: int, seed: int) -> None:
        """Limit a CP-SAT run to `seconds` of this clock's unit, with the given workers and seed."""
        params = solver.parameters
        params.num_workers = workers
        params.random_seed = seed
        if self.deterministic:
            params.max_deterministic_time = max(0.01, seconds)
            params.max_time_in_seconds = max(0.05, self.wall_left())
            params.interleave_search = workers > 1
        else:
            params.max_time_in_seconds = max(0.01, seconds)

    def charge(self, solver: cp_model.CpSolver) -> None:
        """Add a finished CP-SAT run's deterministic time to the work done."""
        self.work += solver.response_proto.deterministic_time

    def charge_work(self, seconds: float) -> None:
        """Add work measured another way (a fixed estimate per step of non-CP-SAT code)."""
        self.work += seconds
