"""Running a sweep on Dask distributed: an embedded local cluster, or any scheduler by its address.

Each site of each scenario is one task (`solve_site` of the normal pipeline); a scenario's
final task merges its sites, checks the plan with the independent checker and prices it.
Results stream back as they finish; a failed or cancelled scenario is reported and the rest
go on. Every finished scenario is appended to a results file (JSON lines) at once, so a
re-run skips what is already done. The workers need the planner package installed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from distributed import Client, Future, SpecCluster, wait
from distributed.deploy.subprocess import SubprocessCluster

from planner.business.workbook import export_plan
from planner.domain import DomainError, Estate
from planner.io.writer import write_plan_workbook
from planner.profiles.loading import estate_costs
from planner.sites import planned_per_site, sites_of, split_estate
from planner.study.pipeline import SitePart, Study, load_overhead, merged_study, run_study, solve_site
from planner.study.sites import site_rows
from planner.study.tco import compute_tco
from planner.sweeps.grid import Grid, Row, Scenario, best_row, ceiling_pct, fingerprint, scenario_estate, sweep_tables

# kept in the results file (a cut-short plan is checked, and says so); stopped, failed and cancelled run again
FINISHED = ("optimal", "feasible", "cut_short", "infeasible", "invalid")


@dataclass(frozen=True)
class Outcome:
    """What a scenario's final task returns: its table row and its checked study."""

    row: Row
    study: Study


@dataclass
class SweepRun:
    """A sweep's rows in scenario order (None until a scenario reports), and the best plan's study."""

    scenarios: list[Scenario]
    rows: list[Row | None]
    resumed: int = 0
    best: Study | None = None
    best_index: int | None = None
    seconds: float = 0.0
    where: str = ""

    @property
    def done(self) -> int:
        """Scenarios with a row (finished, invalid, failed or cancelled)."""
        return sum(r is not None for r in self.rows)


def _threads(estate: Estate, grid_keys: list[str], threads: int) -> Estate:
    """The scenario estate with solver threads matched to the task's worker, unless the grid sets them."""
    return estate if "workers" in grid_keys else replace(estate, settings=replace(estate.settings, workers=threads))


def solve_site_task(estate: Estate, scenario: Scenario, keys: list[str], site: str, threads: int) -> SitePart:
    """Task: one site of one scenario solved by the normal pipeline (not yet checked)."""
    scen = _threads(scenario_estate(estate, scenario), keys, threads)
    part = dict(split_estate(scen))[site]
    return solve_site(site, part, load_overhead(scen), estate_costs(scen))


def finish_task(estate: Estate, scenario: Scenario, keys: list[str], threads: int, *parts: SitePart) -> Outcome:
    """Task: a scenario's sites merged, checked and priced into its row."""
    scen = _threads(scenario_estate(estate, scenario), keys, threads)
    study = merged_study(scen, load_overhead(scen), estate_costs(scen), list(parts))
    return Outcome(scenario_row(scenario, study), study)


def scenario_row(scenario: Scenario, study: Study) -> Row:
    """A scenario's figures: servers, CAPEX, TCO, bound, gap, status and seconds."""
    s, r, e = study.summary, study.result, study.estate
    tco = compute_tco(e, r.plan, study.baseline, study.costs, study.overhead)
    row: Row = {"scenario": scenario.label, **dict(scenario.values)}
    row.update(
        status=r.status,
        servers=s.servers,
        spare_servers=s.spare_servers,
        capex=round(r.capex, 2),
        tco=round(tco.plan_total, 2),
        cost=round(r.objective_value, 2),
        objective=s.objective,
        baseline_capex=s.baseline_capex,
        savings_pct=s.savings_pct,
        lower_bound=round(r.lower_bound, 2),
        gap_pct=round(r.gap_pct, 2),
        unplaced=s.unplaced,
        vms=s.vms,
        containers=s.containers,
        ha_failures=e.settings.ha_failures,
        ceiling_pct=ceiling_pct(e),
        sites=len(r.sites) or 1,
        seconds=round(r.seconds, 2),
        error="",
        site_rows=site_rows(r, total=False),
    )
    return row


def problem_row(scenario: Scenario, status: str, error: str) -> Row:
    """The row of a scenario that produced no plan: invalid settings, a failed task, or a cancel."""
    return {"scenario": scenario.label, **dict(scenario.values), "status": status, "error": error}


def read_results(path: Path) -> dict[str, Row]:
    """Finished rows of earlier runs by scenario key (a torn last line is ignored)."""
    out: dict[str, Row] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and row.get("status") in FINISHED and "key" in row:
            out[str(row["key"])] = row
    return out


def open_client(scheduler: str | None, workers: int | None) -> tuple[Client, SpecCluster | None, str]:
    """A client of the given scheduler, or of a new local cluster (one single-threaded worker per core).

    The local scheduler and workers are fresh subprocesses, not children forked or spawned from
    this one, so that a host which re-runs its main module in a child (Streamlit, notebooks) is safe.
    """
    if scheduler:
        client = Client(scheduler, timeout="20s")
        return client, None, f"Dask scheduler {scheduler} ({len(client.scheduler_info()['workers'])} workers)"
    n = workers or os.cpu_count() or 1
    cluster = SubprocessCluster(
        host="127.0.0.1",
        n_workers=n,
        threads_per_worker=1,
        dashboard_address=None,  # type: ignore[arg-type]
        worker_class="distributed.Worker",
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster, f"local Dask cluster, {n} worker process(es)"


def run_sweep(
    estate: Estate,
    grid: Grid,
    results: Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    threads: int = 1,
    on_row: Callable[[SweepRun, int], None] | None = None,
    stop: threading.Event | None = None,
) -> SweepRun:
    """Solve every scenario of the grid not already finished in `results`, streaming rows to `on_row`."""
    started = time.monotonic()
    scenarios = grid.scenarios()
    run = SweepRun(scenarios, [None] * len(scenarios))
    fp = fingerprint(estate)
    earlier = read_results(results)
    todo: list[tuple[int, list[str]]] = []  # scenarios to solve, with the sites each is split into
    for i, sc in enumerate(scenarios):
        old = earlier.get(sc.key(fp))
        if old is not None:
            run.rows[i], run.resumed = {**old, "scenario": sc.label}, run.resumed + 1
            continue
        try:
            scen = scenario_estate(estate, sc)
            todo.append((i, sites_of(scen) if planned_per_site(scen) else [""]))
        except DomainError as exc:
            _record(run, i, {**problem_row(sc, "invalid", str(exc)), "key": sc.key(fp)}, results, on_row)
    if todo:
        client, cluster, run.where = open_client(scheduler, workers)
        try:
            _execute(client, estate, fp, grid.keys, run, todo, results, threads, on_row, stop)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    run.seconds = time.monotonic() - started
    return run


def _submit(client: Client, estate_f: Future, sc: Scenario, sites: list[str], keys: list[str], threads: int, tag: str) -> Future:
    """A scenario's tasks: one per site, then the merge that depends on them all."""
    parts = [
        client.submit(solve_site_task, estate_f, sc, keys, site, threads, key=f"site-{tag}-{n}") for n, site in enumerate(sites)
    ]
    return client.submit(finish_task, estate_f, sc, keys, threads, *parts, key=f"scenario-{tag}")


def _execute(
    client: Client,
    estate: Estate,
    fp: str,
    keys: list[str],
    run: SweepRun,
    todo: list[tuple[int, list[str]]],
    results: Path,
    threads: int,
    on_row: Callable[[SweepRun, int], None] | None,
    stop: threading.Event | None,
) -> None:
    # The estate is a task, not scattered data: if the worker holding it dies, the scheduler recomputes it.
    estate_f = client.submit(lambda e: e, estate, key=f"estate-{fp}-{time.time_ns()}", pure=False)
    index: dict[Future, int] = {}
    futures = []
    for i, sites in todo:
        sc = run.scenarios[i]
        f = _submit(client, estate_f, sc, sites, keys, threads, f"{sc.key(fp)}-{time.time_ns()}")
        index[f] = i
        futures.append(f)
    pending = set(futures)
    while pending:
        if stop is not None and stop.is_set():
            client.cancel(list(pending))
            for f in pending:
                _record(run, index[f], problem_row(run.scenarios[index[f]], "cancelled", "stopped by the user"), None, on_row)
            return
        try:
            finished, left = wait(list(pending), timeout=0.5, return_when="FIRST_COMPLETED")
        except TimeoutError:
            continue
        pending = set(left)
        for f in finished:
            i, sc = index[f], run.scenarios[index[f]]
            if f.status == "finished":
                outcome: Outcome = f.result()
                _record(run, i, {**outcome.row, "key": sc.key(fp)}, results, on_row, outcome.study)
            elif f.status == "cancelled":
                _record(run, i, problem_row(sc, "cancelled", "the task was cancelled"), None, on_row)
            else:
                error = f.exception()
                _record(run, i, problem_row(sc, "failed", f"{type(error).__name__}: {error}"), None, on_row)
            f.release()


def _record(
    run: SweepRun,
    i: int,
    row: Row,
    results: Path | None,
    on_row: Callable[[SweepRun, int], None] | None,
    study: Study | None = None,
) -> None:
    """Keep a scenario's row (and its study when it is the best so far), append it to the results file."""
    run.rows[i] = row
    # the same rule as the sweep's best row (ties go to the earlier scenario), so the kept study is the one written
    pair = sorted({i, i if run.best_index is None else run.best_index})
    if study is not None and pair[best_row([run.rows[k] or {} for k in pair]) or 0] == i:
        run.best, run.best_index = study, i
    if results is not None and row.get("status") in FINISHED:
        results.parent.mkdir(parents=True, exist_ok=True)
        with results.open("a+b") as out:  # a line torn by a killed run is ended first, so it cannot swallow this one
            size = out.seek(0, os.SEEK_END)
            if size:
                out.seek(size - 1)
                if out.read(1) != b"\n":
                    out.write(b"\n")
            out.write((json.dumps(row, default=str) + "\n").encode("utf-8"))
            out.flush()
    if on_row is not None:
        on_row(run, i)


def best_plan_path(out: Path) -> Path:
    """Where the best scenario's plan is written: beside the sweep workbook."""
    return out.with_name(f"{out.stem}-best-plan.xlsx")


def results_path(out: Path) -> Path:
    """The results file a sweep resumes from: beside the sweep workbook."""
    return out.with_name(f"{out.stem}.results.jsonl")


def write_sweep(out: Path, grid: Grid, run: SweepRun, estate: Estate) -> Path | None:
    """Write the sweep workbook and the best scenario's plan beside it; returns the plan's path (None: no plan).

    When the best scenario finished in an earlier run, its plan is solved again here.
    """
    info = {"workbook": estate.source, "grid": grid.source, "where": run.where or "nothing to run", "resumed": run.resumed}
    # the sweep's tables keep their keys as headers: a grid's settings are its columns, read back by name
    write_plan_workbook(out, sweep_tables(grid, run.rows, {**info, "seconds": round(run.seconds, 1)}), words=False)
    best = best_row([r or {} for r in run.rows])
    if best is None:
        return None
    study = run.best if run.best_index == best else None
    if study is None:  # finished in an earlier run: its study was not kept
        study = run_study(scenario_estate(estate, run.scenarios[best]))
    return export_plan(study, best_plan_path(out))
