"""A solve or a sweep running in the background: progress, stop, result or error; no UI code.

The dashboard keeps one SolveJob per session, polls it while it runs and never starts a
second one until the first has finished.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from planner.business.planning import plan_with_case
from planner.domain import Estate
from planner.plan import ProgressPoint
from planner.profiles.overheads import OverheadProfile
from planner.study.pipeline import Study, run_study
from planner.sweeps.cluster import SweepRun, results_path, run_sweep, write_sweep
from planner.sweeps.grid import Grid, Row

log = logging.getLogger("planner.ui.jobs")
WATCH_EVERY_S = 2.0  # how often a job checks that someone still waits for it
WATCH_MISSES = 5  # checks in a row without anyone waiting before the job stops


@dataclass(kw_only=True)
class _Background:
    """A daemon thread doing one job: start, stop (cooperative), wait, elapsed."""

    started: float = field(default_factory=time.monotonic)
    stop_event: threading.Event = field(default_factory=threading.Event)
    wanted: Callable[[], bool] | None = None  # False once nobody waits for the result (the page was closed): stop
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        raise NotImplementedError

    def _launch(self, name: str) -> None:
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        if self.wanted is not None:
            threading.Thread(target=self._watch, name=f"{name}-watch", daemon=True).start()

    def _watch(self) -> None:
        """Stop the job once it is no longer wanted: a closed page does not keep a solve running on the server."""
        missed = 0
        while self.running and not self.stop_event.wait(WATCH_EVERY_S):
            missed = 0 if self.wanted is None or self.wanted() else missed + 1
            if missed >= WATCH_MISSES:  # several checks in a row: a page reconnecting after a blip is not closed
                log.info("%s: nobody waits for it any more; stopping", self._thread.name if self._thread else "job")
                self.stop()

    @property
    def running(self) -> bool:
        """True while the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Ask the job to stop; a solve keeps its best plan, a sweep its finished scenarios."""
        self.stop_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the job to finish; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def elapsed(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started


QUICK_PLAN_S = 2.0  # the dashboard's first plan: at most this long (a tenth of the limit when that is shorter)


@dataclass
class SolveJob(_Background):
    """One background solve of an estate."""

    estate: Estate
    overhead: OverheadProfile
    points: list[ProgressPoint] = field(default_factory=list)
    study: Study | None = None
    plan_study: Study | None = None  # the checked plan, before its business case is built
    error: str | None = None
    phase: str = "solving"
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> SolveJob:
        """Start solving in a daemon thread; returns self."""
        self._launch("planner-solve")
        return self

    def _run(self) -> None:
        try:
            quick = self._quick_plan()
            if quick is not None and self.stop_event.is_set():  # stopped during the first plan: it is the answer
                study = quick
            else:
                study = plan_with_case(
                    self.estate, overhead=self.overhead, progress=self._progress, stop=self.stop_event, on_plan=self._planned
                )
            with self._lock:
                self.study = study
        except Exception as exc:  # shown as a message; the detail goes to the log
            log.exception("solve failed")
            with self._lock:
                self.error = f"{type(exc).__name__}: {exc}"

    def _planned(self, study: Study) -> None:
        """The checked plan, shown while its business case is built."""
        with self._lock:
            self.plan_study = study
            self.phase = "Plan found; now the business case: planning the other strategies and the growth years."

    def _quick_plan(self) -> Study | None:
        """A first checked plan within seconds, shown while the full search runs (a short solve of its own)."""
        settings = self.estate.settings
        limit = min(QUICK_PLAN_S, settings.time_limit_s / 10)
        if limit < 0.5 or self.stop_event.is_set():
            return None
        quick = replace(self.estate, settings=replace(settings, time_limit_s=limit, business_case=False))
        study = run_study(quick, overhead=self.overhead, stop=self.stop_event)
        asked = replace(study.estate.settings, time_limit_s=settings.time_limit_s, business_case=settings.business_case)
        study = replace(study, estate=replace(study.estate, settings=asked))  # shown under the settings the user chose
        with self._lock:
            if self.plan_study is None:
                self.plan_study = study
                self.phase = "A first checked plan is shown below; the full search goes on."
        return study

    def _progress(self, point: ProgressPoint) -> None:
        with self._lock:
            self.points.append(point)

    def snapshot(self) -> list[ProgressPoint]:
        """A copy of the progress so far."""
        with self._lock:
            return list(self.points)


@dataclass
class SweepJob(_Background):
    """One background sweep: its rows as they stream in, the written workbook and best plan, or an error."""

    estate: Estate
    grid: Grid
    folder: Path
    scheduler: str | None = None
    workers: int | None = None
    run: SweepRun | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None

    def start(self) -> SweepJob:
        """Start the sweep in a daemon thread; returns self."""
        self._launch("planner-sweep")
        return self

    def _seen(self, run: SweepRun, _: int) -> None:
        self.run = run

    def _run(self) -> None:
        out = self.folder / "sweep.xlsx"
        try:
            self.run = run_sweep(
                self.estate,
                self.grid,
                results_path(out),
                scheduler=self.scheduler,
                workers=self.workers,
                on_row=self._seen,
                stop=self.stop_event,
            )
            best = write_sweep(out, self.grid, self.run, self.estate)
            files = {"sweep.xlsx": out.read_bytes()}
            if best is not None:
                files["best-plan.xlsx"] = best.read_bytes()
            self.files = files
        except Exception as exc:  # shown as a message; the detail goes to the log
            log.exception("sweep failed")
            self.error = f"{type(exc).__name__}: {exc}"

    def rows(self) -> list[Row]:
        """The scenario rows reported so far, in scenario order."""
        run = self.run
        return [] if run is None else [r for r in list(run.rows) if r is not None]
