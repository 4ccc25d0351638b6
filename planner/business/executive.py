"""The executive summary: the plan in one sentence, today against the plan, the key assumptions.

The first sheet of the plan workbook and the body of the HTML report. Every sum is in the
study's currency and formatted for people; the machine-readable figures stay in the JSON summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.money import HARDWARE_FRAMINGS, money
from planner.plan import SolveStatus
from planner.study.pipeline import Study
from planner.study.tco import Tco, compute_tco, framing_rows

Row = dict[str, object]
SIZING_WORDS = {
    "allocation": "by allocation (as configured)",
    "demand": "by measured use",
    "percentile": "by a percentile of the utilization history",
}
FORM_WORDS = {
    "auto": "VM or container, the solver's choice per workload",
    "vm_only": "every workload a VM",
    "containers_where_allowed": "containers wherever allowed",
}


@dataclass(frozen=True)
class Executive:
    """What a budget meeting reads first."""

    title: str
    subtitle: str
    verdict: str
    comparison: tuple[Row, ...]  # figure, today, plan, change
    framings: tuple[Row, ...]  # the plan against each way of treating today's hardware
    assumptions: tuple[Row, ...]  # assumption, value
    solver: tuple[Row, ...]  # item, value
    currency: str


def study_tco(study: Study) -> Tco:
    """The study's TCO comparison: its business case's, else priced now."""
    if study.case is not None:
        return study.case.tco
    return compute_tco(study.estate, study.result.plan, study.baseline, study.costs, study.overhead)


def _change(today: float, plan: float, unit: str = "") -> str:
    if not today:
        return ""
    pct = 100 * (plan - today) / today
    word = ("fewer" if unit == "servers" else "less") if plan <= today else "more"
    return f"{abs(pct):.0f}% {word}"


def verdict_sentence(study: Study, tco: Tco) -> str:
    """The plan in one sentence: servers, what buying them costs, the TCO against today, payback and CO2."""
    s, cur = study.summary, study.estate.settings.currency
    framing = HARDWARE_FRAMINGS[study.estate.settings.baseline_hardware]
    text = f"{s.baseline_servers} servers today, {s.servers} in the plan"
    if s.baseline_servers:
        text += f" ({_change(s.baseline_servers, s.servers, 'servers')})"
    text += f"; buying them costs {money(s.capex, cur)}."
    if s.unplaced:
        return text + f" {s.unplaced} replicas could not be placed: no saving is claimed (see the Unplaced sheet)."
    saving = tco.savings
    text += f" Over {tco.years} years the plan costs {money(tco.plan_total, cur)} against {money(tco.baseline_total, cur)}"
    text += f" to {framing.split(' (')[0]}"
    if saving >= 0:
        payback = "" if tco.payback_month is None else f", paid back in month {tco.payback_month}"
        text += f": a saving of {money(saving, cur)}{payback}."
    else:
        text += f": {money(-saving, cur)} more than today, mostly {_main_difference(tco, cur)}."
    text += f" CO2: {tco.co2_tonnes(tco.plan):,.1f} t a year against {tco.co2_tonnes(tco.baseline):,.1f} today."
    return text


def _main_difference(tco: Tco, cur: str) -> str:
    """The cost part that grows most from today to the plan over the horizon, with the amount."""
    years = range(tco.years + 1)
    parts = {p: sum(tco.plan.year(y)[p] - tco.baseline.year(y)[p] for y in years) for p in tco.plan.year(0)}
    part = max(parts, key=lambda p: parts[p])
    text = f"{part} ({money(parts[part], cur, signed=True)})"
    if part == "Windows Server licences":
        text += f": the plan's hosts need {tco.plan.licence_cores:,.0f} core licences, today's {tco.baseline.licence_cores:,.0f}"
    elif part == "hardware":
        text += ": the plan buys servers, today's are kept"
    return text


def _comparison(study: Study, tco: Tco) -> list[Row]:
    s, cur, b = study.summary, study.estate.settings.currency, study.baseline
    costs = study.costs
    plan_units = sum(
        costs["default_rack_units"] if m.rack_units is None else m.rack_units
        for m in (study.estate.server_model(x.model) for x in (*study.result.plan.servers, *study.result.plan.spares))
    )
    today_units = b.servers * costs["baseline_rack_units"]
    rows: list[tuple[str, float, float, str, str]] = [
        ("Servers (spares included)", b.servers, s.servers, f"{s.servers} x", "servers"),
        ("Hardware: replacing today's like for like / buying the plan", b.capex, s.capex, "money", ""),
        (f"Total cost of ownership over {tco.years} years", tco.baseline_total, tco.plan_total, "money", ""),
        ("IT draw, kW (average)", tco.baseline.watts / 1000, tco.plan.watts / 1000, "kW", ""),
        ("Rack units", today_units, plan_units, "U", ""),
        ("CO2, tonnes a year", tco.co2_tonnes(tco.baseline), tco.co2_tonnes(tco.plan), "t", ""),
        ("Windows Server core licences", tco.baseline.licence_cores, tco.plan.licence_cores, "", ""),
    ]
    out: list[Row] = []
    for label, today, plan, kind, unit in rows:
        shown = (lambda v: money(v, cur)) if kind == "money" else (lambda v: f"{v:,.1f}" if v % 1 else f"{v:,.0f}")
        out.append({"figure": label, "today": shown(today), "plan": shown(plan), "change": _change(today, plan, unit)})
    return out


def _assumptions(study: Study) -> list[Row]:
    st = study.estate.settings
    ceilings = ", ".join(f"{name} {st.utilization_pct(key):g}%" for key, name in (("cpu_cores", "CPU"), ("memory_gb", "memory")))
    spares = f", plus {st.spare_servers} spare server(s)" if st.spare_servers else ""
    growth = f"{st.growth_pct_per_year:g}% a year; the plan is sized for " + (
        "today's demand" if st.size_for_year == 0 else f"year {st.size_for_year}"
    )
    items = [
        (
            "Sizing",
            SIZING_WORDS.get(st.sizing, st.sizing)
            + (f" (p{st.percentile:g} x {st.comfort_factor:g})" if st.sizing == "percentile" else ""),
        ),
        ("vCPUs per physical core", f"{st.vcpu_per_core:g}"),
        ("Utilization ceilings", ceilings),
        (
            "Failure tolerance",
            f"survives losing {st.ha_failures} server(s){spares}" if st.ha_failures else f"none asked for{spares}",
        ),
        ("Forms", FORM_WORDS.get(st.forms, st.forms)),
        ("Hypervisor", "type 1 (bare metal)" if st.hypervisor == "type1" else "type 2 (hosted on an OS)"),
        (
            "Storage",
            {"shared": "shared SAN/NAS (reported, not packed)", "hci": "HCI, replicated on the servers"}.get(
                st.storage_pool, "the servers' own disks"
            ),
        ),
        ("Today's hardware", HARDWARE_FRAMINGS[st.baseline_hardware]),
        ("Windows Server licences", "today's carry over to the plan" if st.licences_owned else "both sides buy theirs"),
        ("Demand growth", growth),
        ("Currency", st.currency + " (prices as given in the server catalog and the cost profile)"),
        ("Today's servers counted from", study.baseline.note),
    ]
    return [{"assumption": k, "value": v} for k, v in items]


def _solver(study: Study) -> list[Row]:
    s, cur = study.summary, study.estate.settings.currency
    rows = [
        ("Solver status", SolveStatus(s.status).label),
        ("Lower bound on the plan's cost", money(s.lower_bound, cur)),
        ("Gap to the bound", f"{s.gap_pct:.1f}%"),
        (
            "Workloads",
            f"{s.workloads:,} ({s.replicas:,} replicas; {s.placed:,} placed, {s.unplaced:,} unplaced, {s.excluded:,} excluded)",
        ),
    ]
    if s.replay_verdict:
        rows.append(("Replay on the history", s.replay_verdict))
    return [{"item": k, "value": v} for k, v in rows]


def executive(study: Study, *, today: dt.date | None = None) -> Executive:
    """The executive summary of a study (`today` fixes the date a report is stamped with)."""
    tco, cur = study_tco(study), study.estate.settings.currency
    name = study.estate.source.replace("\\", "/").rsplit("/", 1)[-1] or "the estate"
    date = (today or dt.date.today()).isoformat()
    framings = [
        {k: (money(v, cur) if isinstance(v, float) else v) for k, v in row.items()}
        for row in framing_rows(study.estate, study.result.plan, study.baseline, study.costs, study.overhead)
    ]
    return Executive(
        title=f"Consolidation plan: {name}",
        subtitle=f"{date} · {FORM_WORDS.get(study.estate.settings.forms, '')} · {len(study.estate.workloads):,} workloads",
        verdict=verdict_sentence(study, tco),
        comparison=tuple(_comparison(study, tco)),
        framings=tuple(framings),
        assumptions=tuple(_assumptions(study)),
        solver=tuple(_solver(study)),
        currency=cur,
    )


def summary_blocks(ex: Executive) -> list[tuple[str, list[Row]]]:
    """The summary as titled blocks of rows: the workbook's first sheet and the HTML report write these."""
    return [
        (ex.title, []),
        (ex.subtitle, []),
        ("Verdict", [{"verdict": ex.verdict}]),
        ("Today and the plan", list(ex.comparison)),
        ("The plan against each way of treating today's hardware", list(ex.framings)),
        ("Key assumptions", list(ex.assumptions)),
        ("Solver", list(ex.solver)),
    ]


def summary_table(ex: Executive) -> list[Row]:
    """The summary as one table (the API's 'Summary' DataFrame): section, figure, today, plan, change."""
    rows: list[Row] = [{"section": "verdict", "figure": ex.verdict}]
    rows += [{"section": "today and the plan", **r} for r in ex.comparison]
    rows += [{"section": "assumption", "figure": r["assumption"], "plan": r["value"]} for r in ex.assumptions]
    rows += [{"section": "solver", "figure": r["item"], "plan": r["value"]} for r in ex.solver]
    return rows
