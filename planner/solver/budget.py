"""A search budget in wall-clock seconds and, for deterministic runs, in counted work.

Pure-Python searches (the 1-D local search and column generation) charge a nominal cost per
step; a deterministic run stops on that count alone (the wall clock only as a safety net),
so a fixed seed gives the same plan on any machine, as CP-SAT's deterministic time does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Budget:
    """Stop at `deadline` (monotonic seconds), once `work` nominal seconds are spent when it is set,
    or when `stop` is set (the dashboard's stop button)."""

    deadline: float
    work: float | None = None
    spent: float = 0.0
    parent: Budget | None = None
    stop: threading.Event | None = None

    def spend(self, cost: float) -> bool:
        """Charge `cost`; True while the budget lasts."""
        self.spent += cost
        if self.parent is not None:
            self.parent.spend(cost)
        return self.left() > 0

    def left(self) -> float:
        """What is left, in the budget's own unit (work when counted, else seconds)."""
        if self.stop is not None and self.stop.is_set():
            return 0.0
        wall = self.deadline - time.monotonic()
        if self.work is None or wall <= 0:
            return wall
        return self.work - self.spent

    def part(self, share: float) -> Budget:
        """A child budget of `share` of what is left; what it spends is charged here too."""
        now = time.monotonic()
        if self.work is None:
            return Budget(now + share * max(0.0, self.deadline - now), parent=self, stop=self.stop)
        return Budget(self.deadline, share * max(0.0, self.work - self.spent), parent=self, stop=self.stop)


@contextmanager
def halted_by(stop: threading.Event | None, halt: Callable[[], None]) -> Iterator[None]:
    """Within the block, call `halt` (a solver's own stop) as soon as `stop` is set (the stop button)."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if stop.is_set():
                halt()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
