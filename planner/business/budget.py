"""The time each further solve of the business case may take, under one deadline for the whole command."""

from __future__ import annotations

import time
from dataclasses import dataclass

MIN_SOLVE_S = 0.5  # a further solve gets at least this long, or is skipped


@dataclass(frozen=True)
class CaseBudget:
    """What each further solve of the business case may take, and when none may start any more."""

    per_solve: float
    deadline: float | None = None  # time.monotonic() past which no further solve starts

    def limit(self) -> float | None:
        """The next solve's time limit, or None when the deadline leaves no room for it."""
        if self.deadline is None:
            return self.per_solve
        left = self.deadline - time.monotonic()
        return None if left < MIN_SOLVE_S else min(self.per_solve, left)
