"""A solve running in the background: progress, stop, result or error; no UI code.

The dashboard keeps one SolveJob per session, polls it while it runs and never starts a
second one until the first has finished.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from planner.business import add_business_case
from planner.domain import Estate
from planner.overheads import OverheadModel
from planner.plan import ProgressPoint
from planner.study import Study, run_study

log = logging.getLogger("planner.jobs")


@dataclass
class SolveJob:
    """One background solve of an estate."""

    estate: Estate
    overhead: OverheadModel
    points: list[ProgressPoint] = field(default_factory=list)
    study: Study | None = None
    plan_study: Study | None = None  # the checked plan, before its business case is built
    error: str | None = None
    phase: str = "solving"
    started: float = field(default_factory=time.monotonic)
    stop_event: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> SolveJob:
        """Start solving in a daemon thread; returns self."""
        self._thread = threading.Thread(target=self._run, name="planner-solve", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            study = run_study(self.estate, overhead=self.overhead, progress=self._progress, stop=self.stop_event)
            if self.estate.settings.business_case and not self.stop_event.is_set():
                with self._lock:
                    self.plan_study = study
                    self.phase = "business case: planning the other strategies and the growth years"
                study = add_business_case(study, stop=self.stop_event)
            with self._lock:
                self.study = study
        except Exception as exc:  # shown as a message; the detail goes to the log
            log.exception("solve failed")
            with self._lock:
                self.error = f"{type(exc).__name__}: {exc}"

    def _progress(self, point: ProgressPoint) -> None:
        with self._lock:
            self.points.append(point)

    @property
    def running(self) -> bool:
        """True while the solver thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Ask the solver to stop; it keeps the best plan found so far."""
        self.stop_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the job to finish; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def snapshot(self) -> list[ProgressPoint]:
        """A copy of the progress so far."""
        with self._lock:
            return list(self.points)

    @property
    def elapsed(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started
