"""What `planner plan` prints about a plan: the headline figures, the sites, the notes and the business case."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from planner.business.executive import verdict_sentence
from planner.limits import printable
from planner.money import money
from planner.plan import ProgressPoint, SolveStatus
from planner.study.pipeline import Study


def progress_printers(stream: TextIO, live: bool) -> tuple[Callable[[ProgressPoint], None] | None, Callable[[Study], None]]:
    """What `planner plan` shows while it works: the live best plan and bound (on a terminal), then the business case."""

    def show(point: ProgressPoint) -> None:
        best = "-" if point.best_cost is None else f"{point.best_cost:,.0f}"
        bound = "-" if point.bound is None else f"{point.bound:,.0f}"
        stream.write(f"\r  solving {point.seconds:6.1f}s  best plan {best}  bound {bound}   ")
        stream.flush()

    def planned(_: Study) -> None:  # the live line ends before the business case is announced
        stream.write("\n" * live + "planning the other strategies and the growth years for the business case...\n")

    return (show if live else None), planned


def print_plan(study: Study, out: Path) -> None:
    """The plan in a few lines on stdout, as a planner reads it."""
    s, estate = study.summary, study.estate
    cur = estate.settings.currency
    print(f"plan written to {out}")
    models = ", ".join(f"{n} x {m}" for m, n in s.servers_by_model.items())
    print(f"  servers   {s.baseline_servers} today -> {s.servers} ({models})")
    change = f"{money(s.savings, cur)} ({s.savings_pct}%) less" if s.savings >= 0 else f"{money(-s.savings, cur)} more"
    if s.unplaced:
        change = f"no saving claimed: {s.unplaced} replicas are not placed (see the Unplaced sheet)"
    else:
        change = f"{change} than replacing today's servers like for like ({money(s.baseline_capex, cur)})"
    print(f"  CAPEX     buying the plan's servers: {money(s.capex, cur)}, {change}")
    print(f"  forms     {s.vms} VMs, {s.containers} containers; {s.unplaced} replicas unplaced")
    if s.shared_storage_gb is not None:
        cost = "" if s.shared_storage_cost_per_year is None else f", {s.shared_storage_cost_per_year:,.0f} a year"
        print(f"  storage   shared pool {s.shared_storage_gb / 1024:,.1f} TB{cost} (today's VMs hold it too: not a saving)")
    print(f"  solver    {SolveStatus(s.status).label}, lower bound {money(s.lower_bound, cur)}, gap {s.gap_pct}%, {s.seconds} s")
    for replay in (study.replay, study.held_out):
        if replay is not None:
            print(f"  replay    {printable(replay.verdict())}")
    for site in study.result.sites:
        print(f"  site      {site.site}: {site.servers} servers, CAPEX {money(site.capex, cur)}, {site.status.label}")
    for note in (*study.result.notes, *estate.notes):
        print(f"  note      {printable(note)}")  # notes quote inventory text (OS, CPU names): no escape reaches the terminal
    _print_case(study)


def _print_case(study: Study) -> None:
    """The business case in a few lines: strategies, TCO, growth, resilience."""
    if study.resilience is not None:
        r = study.resilience
        worst = r.worst
        text = "survives" if r.survived else "does NOT survive"
        print(f"  failures  {text} losing any {r.k} server(s): {len(r.scenarios)} of {r.total} failure sets checked", end="")
        print(f"; worst: {' + '.join(worst.failed)}, survivors peak at {worst.peak_util_pct}%" if worst else "")
    case = study.case
    if case is None:
        return
    cur = study.estate.settings.currency
    print(f"  strategies (money in {cur})")
    for row in case.strategies:
        tco = "-" if row.tco is None else money(row.tco)
        print(f"    {row.label:44} {row.servers:6} servers  CAPEX {money(row.capex):>14}  TCO {tco:>14}")
    print(f"  verdict   {case.verdict}")
    print(f"  summary   {verdict_sentence(study, case.tco)}")
    needed = ", ".join(f"year {g.year}: {g.servers_needed} ({money(g.capex_needed, cur)})" for g in case.growth)
    out = "lasts the horizon" if case.runs_out_year is None else f"runs out of headroom in year {case.runs_out_year}"
    print(f"  growth    servers (CAPEX) needed {needed}; the plan as placed {out}")
