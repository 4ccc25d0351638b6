"""Report tables of a checked plan: summary figures, placements, servers, unplaced, assumptions.

Plain rows of plain values, so the workbook writer, the JSON summary, the CLI and
the dashboard all show the same numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from planner.checker import placement_kind, planned_loads
from planner.domain import Estate
from planner.io.columns import SETTING_SOURCES, SETTINGS
from planner.plan import Plan, SolveResult, SolveStatus
from planner.profiles.costs import CostProfile
from planner.profiles.footprints import host_reserve, placement_footprint
from planner.profiles.overheads import OverheadProfile
from planner.resources import RESOURCE_LABELS, RESOURCES, Resources
from planner.study.baseline import Baseline
from planner.study.hardware import catalog_rows, cpu_rating_rows
from planner.study.ratios import plan_vcpu_per_core, today_vcpu_per_core, vcpus_per_server
from planner.study.resilience import ResilienceReport

Row = dict[str, object]


@dataclass(frozen=True)
class Summary:
    """The headline figures of a plan, under stable snake_case names."""

    servers: int
    capex: float
    baseline_servers: int
    baseline_capex: float
    savings: float
    savings_pct: float
    lower_bound: float
    gap_pct: float
    status: str
    seconds: float
    workloads: int
    replicas: int
    placed: int
    unplaced: int
    vms: int
    containers: int
    servers_by_model: dict[str, int]
    avg_cpu_util_pct: float
    avg_memory_util_pct: float
    avg_storage_util_pct: float
    method: str
    spare_servers: int = 0
    objective: str = "capex"
    objective_value: float = 0.0
    ha_failures: int = 0
    ha_survived: bool | None = None
    notes: tuple[str, ...] = ()
    sites: int = 0  # sites planned separately (0: one pool)
    vcpu_per_core_today: float | None = None  # vCPUs per physical core of today's hosts (inventories with hosts)
    vcpu_per_core_plan: float | None = None  # vCPUs per physical core of the plan's servers
    excluded: int = 0  # inventory rows left out of the plan (each in the Excluded sheet, with its reason)
    shared_storage_gb: float | None = None  # with shared storage: what the plan's replicas need on the shared pool
    shared_storage_cost_per_year: float | None = None  # its cost at the cost profile's rate (today's too: no saving)
    replay_intervals: int | None = None  # with a utilization history: intervals the plan was replayed on
    replay_held_pct: float | None = None  # share of them in which no server went over 100% of its capacity
    replay_within_ceiling_pct: float | None = None  # share in which every server stayed within its ceiling
    replay_verdict: str | None = None  # the replay in one sentence

    def as_dict(self) -> dict[str, object]:
        """The summary as a JSON-ready dict."""
        return asdict(self)


def summarize(
    estate: Estate,
    overhead: OverheadProfile,
    result: SolveResult,
    baseline: Baseline,
    resilience: ResilienceReport | None = None,
    costs: CostProfile | None = None,
) -> Summary:
    """Headline figures of a plan against its baseline (and its failure check, when asked for)."""
    plan = result.plan
    forms = Counter(p.form for p in plan.placements)
    loads = planned_loads(estate, overhead, plan)
    util = {}
    for r in RESOURCES:
        pcts = [
            100 * loads[s.server_id].get(r) / estate.effective_capacity(estate.server_model(s.model)).get(r) for s in plan.servers
        ]
        util[r] = round(sum(pcts) / len(pcts), 1) if pcts else 0.0
    pool = shared_storage(estate, overhead, loads, plan)
    savings = baseline.capex - result.capex if not plan.unplaced else 0.0  # a plan leaving replicas out saves nothing
    return Summary(
        servers=len(plan.servers) + len(plan.spares),
        capex=result.capex,
        baseline_servers=baseline.servers,
        baseline_capex=baseline.capex,
        savings=savings,
        savings_pct=round(100 * savings / baseline.capex, 1) if baseline.capex else 0.0,
        lower_bound=result.lower_bound,
        gap_pct=round(result.gap_pct, 2),
        status=result.status,
        seconds=round(result.seconds, 2),
        workloads=len(estate.workloads),
        replicas=sum(w.replicas for w in estate.workloads),
        placed=len(plan.placements),
        unplaced=len(plan.unplaced),
        vms=forms.get("vm", 0),
        containers=forms.get("container", 0),
        servers_by_model=dict(sorted(Counter(s.model for s in (*plan.servers, *plan.spares)).items())),
        avg_cpu_util_pct=util["cpu_cores"],
        avg_memory_util_pct=util["memory_gb"],
        avg_storage_util_pct=util["storage_gb"],
        method=result.method,
        spare_servers=len(plan.spares),
        objective=result.objective,
        objective_value=result.objective_value,
        ha_failures=estate.settings.ha_failures,
        ha_survived=None if resilience is None else resilience.survived,
        notes=result.notes,
        sites=len(result.sites),
        vcpu_per_core_today=today_vcpu_per_core(estate),
        vcpu_per_core_plan=plan_vcpu_per_core(estate, plan),
        excluded=len(estate.excluded),
        shared_storage_gb=pool,
        shared_storage_cost_per_year=None
        if pool is None or costs is None
        else round(pool / 1024 * costs["shared_storage_per_tb_year"], 2),
    )


def shared_storage(estate: Estate, overhead: OverheadProfile, loads: dict[str, Resources], plan: Plan) -> float | None:
    """With shared storage, what the plan's replicas need on the shared pool (GB; hosts boot locally); None otherwise."""
    if estate.settings.storage_pool != "shared":
        return None
    hv = estate.settings.hypervisor
    boot = sum(host_reserve(s.mode, overhead, hv, estate.server_model(s.model).capacity).storage_gb for s in plan.servers)
    return round(sum(loads[s.server_id].storage_gb for s in plan.servers) - boot, 1)


FIGURE_WORDS = {
    "servers": "servers in the plan (spares included)",
    "spare_servers": "spare servers",
    "capex": "CAPEX: buying the plan's servers",
    "baseline_servers": "servers today",
    "baseline_capex": "replacing today's servers like for like",
    "savings": "CAPEX avoided against a like-for-like replacement",
    "savings_pct": "CAPEX avoided, %",
    "objective": "what the solver minimised",
    "objective_value": "its value",
    "lower_bound": "lower bound on it",
    "gap_pct": "gap to the bound, %",
    "vcpu_per_core_today": "vCPUs per core today",
    "vcpu_per_core_plan": "vCPUs per core in the plan",
    "status": "solver status (key)",
    "status_in_words": "solver status",
    "seconds": "solve time, s",
    "method": "how the plan was found",
    "shared_storage_gb": "shared storage the plan needs, GB",
    "shared_storage_cost_per_year": "its cost a year",
    "avg_cpu_util_pct": "average CPU used, %",
    "avg_memory_util_pct": "average memory used, %",
    "avg_storage_util_pct": "average storage used, %",
    "baseline_method": "today's servers counted from",
    "ha_failures": "servers the plan survives losing",
    "ha_survived": "every failure checked survived",
    "replay_intervals": "intervals replayed",
    "replay_held_pct": "intervals no server went over 100%, %",
    "replay_within_ceiling_pct": "intervals every server stayed within its ceiling, %",
    "replay_verdict": "replay",
}


def summary_rows(summary: Summary, baseline: Baseline) -> list[Row]:
    """The Details sheet: each headline figure in words, its value, and its JSON key."""
    pairs: list[tuple[str, object]] = [(f"servers ({model})", n) for model, n in summary.servers_by_model.items()]
    pairs += [
        (key, getattr(summary, key))
        for key in (
            "servers", "spare_servers", "capex", "baseline_servers", "baseline_capex", "savings", "savings_pct",
            "objective", "objective_value", "lower_bound", "gap_pct", "vcpu_per_core_today", "vcpu_per_core_plan", "status",
        )
    ]  # fmt: skip
    pairs.append(("status_in_words", SolveStatus(summary.status).label))
    pairs += [
        (key, getattr(summary, key))
        for key in (
            "seconds", "method", "workloads", "replicas", "placed", "unplaced", "excluded", "shared_storage_gb",
            "shared_storage_cost_per_year", "vms", "containers", "avg_cpu_util_pct", "avg_memory_util_pct",
            "avg_storage_util_pct",
        )
    ]  # fmt: skip
    pairs.append(("baseline_method", baseline.note))
    survived = summary.ha_survived
    pairs += [("ha_failures", summary.ha_failures), ("ha_survived", "" if survived is None else ("yes" if survived else "no"))]
    pairs.append(("sites", summary.sites or "one pool"))
    if summary.replay_intervals is not None:  # planned with a utilization history: the replay proof
        pairs += [
            (key, getattr(summary, key))
            for key in ("replay_intervals", "replay_held_pct", "replay_within_ceiling_pct", "replay_verdict")
        ]
    pairs += [("note", note) for note in summary.notes]
    return [{"figure": FIGURE_WORDS.get(key, key.replace("_", " ")), "value": value, "key": key} for key, value in pairs]


def placement_rows(estate: Estate, overhead: OverheadProfile, result: SolveResult) -> list[Row]:
    """The Placements sheet: one row per placed replica, with footprint and carried-over columns."""
    by_id = {s.server_id: s for s in result.plan.servers}
    rows: list[Row] = []
    for p in result.plan.placements:
        w = estate.workload(p.workload)
        server = by_id[p.server_id]
        fp = placement_footprint(w, placement_kind(p, server), overhead, estate.settings.hypervisor)
        row: Row = {
            "workload": p.workload,
            "replica": p.replica,
            "server_id": p.server_id,
            "server_model": server.model,
            "form": p.form,
            "why": p.why,
            "footprint_cpu_cores": round(fp.cpu_cores, 3),
            "footprint_memory_gb": round(fp.memory_gb, 3),
            "footprint_storage_gb": round(fp.storage_gb, 3),
            "os": w.os,
            "cpu_cores": w.cpu_cores,
            "memory_gb": w.memory_gb,
            "storage_gb": w.storage_gb,
            "current_host": w.current_host or "",
        }
        if w.site:
            row["site"] = w.site
        for key, value in w.extra:
            row.setdefault(key, value)
        rows.append(row)
    return rows


def server_rows(estate: Estate, overhead: OverheadProfile, result: SolveResult) -> list[Row]:
    """The Servers sheet: per server (spares last, empty), used, capacity and utilization per resource."""
    loads = planned_loads(estate, overhead, result.plan)
    counts = Counter(p.server_id for p in result.plan.placements)
    vcpus = vcpus_per_server(estate, result.plan)
    rows: list[Row] = []
    for s in (*result.plan.servers, *result.plan.spares):
        model = estate.server_model(s.model)
        load = loads.get(s.server_id, Resources())
        row: Row = {"server_id": s.server_id, "model": s.model, "mode": s.mode, "replicas": counts[s.server_id]}
        row["vcpus"] = round(vcpus[s.server_id], 2)
        row["vcpu_per_core"] = round(vcpus[s.server_id] / model.cpu_cores, 2)
        if s.site:
            row["site"] = s.site
        for r in RESOURCES:
            label, used, cap = RESOURCE_LABELS[r], load.get(r), estate.effective_capacity(model).get(r)
            shared = r == "storage_gb" and estate.settings.storage_pool == "shared"
            row[f"{label}_used"] = round(used, 3)
            row[f"{label}_capacity"] = "shared" if shared else cap
            row[f"{label}_util_pct"] = None if shared else round(100 * used / cap, 1)
        row["unit_cost"] = model.unit_cost
        rows.append(row)
    return rows


def excluded_rows(estate: Estate) -> list[Row]:
    """The Excluded sheet: inventory rows left out of the plan, each with where it is and why."""
    return [{"workload": e.name, "sheet": e.sheet, "row": e.row, "column": e.column, "reason": e.reason} for e in estate.excluded]


def unplaced_rows(result: SolveResult) -> list[Row]:
    """The Unplaced sheet: one row per replica that could not be placed, with its reason."""
    return [{"workload": u.workload, "replica": u.replica, "reason": u.reason} for u in result.plan.unplaced]


def assumption_rows(estate: Estate, overhead: OverheadProfile, costs: CostProfile, baseline: Baseline) -> list[Row]:
    """The Assumptions sheet: every setting, overhead number and cost driver used, with reasons and sources."""
    s = estate.settings
    rows: list[Row] = [
        {"setting": "input", "value": _file_name(estate.source), "unit": "", "reason": "", "source": ""},
        {"setting": "hypervisor", "value": s.hypervisor, "unit": "", "reason": "", "source": ""},
        {
            "setting": "overhead_profile",
            "value": overhead.name,
            "unit": "",
            "reason": overhead.description,
            "source": _file_name(overhead.path),
        },
        *(
            Row(
                setting=f"{kind}_platform",
                value=name or "(generic numbers of the overhead profile)",
                unit="",
                reason="its numbers replace the generic ones below" if name else "",
                source=f"models/platforms/{name}.toml" if name else "",
            )
            for kind, name in (("hypervisor", overhead.hypervisor_platform), ("container", overhead.container_platform))
        ),
        {"setting": "forms", "value": s.forms, "unit": "", "reason": "", "source": ""},
        {
            "setting": "units",
            "value": "GB = GiB",
            "unit": "",
            "reason": "memory and disk sizes are binary gigabytes (2^30 bytes)",
            "source": "MB/MiB/TB/TiB inputs are converted explicitly on import",
        },
        {
            "setting": "sizing",
            "value": s.sizing,
            "unit": "",
            "reason": "allocation (as configured) or demand (measured use)",
            "source": "",
        },
    ]
    units = {
        "vcpu_per_core": "vCPUs/core",
        "hyperthreading_weight": "cores/thread",
        "memory_overcommit": "ratio",
        "containerize": "",
    }
    rows += [
        {"setting": key, "value": getattr(s, key), "unit": units.get(key, ""), "reason": reason, "source": source}
        for key, (reason, source) in SETTING_SOURCES.items()
    ]
    rows += [{"setting": "import", "value": note, "unit": "", "reason": "", "source": ""} for note in estate.notes]
    rows += cpu_rating_rows(estate) + catalog_rows(estate)
    for r in RESOURCES:
        rows.append(
            {
                "setting": f"{RESOURCE_LABELS[r]}_max_utilization_pct",
                "value": s.utilization_pct(r),
                "unit": "%",
                "reason": "headroom",
                "source": "",
            }
        )
    rows += [
        {"setting": "baseline", "value": s.baseline, "unit": "", "reason": baseline.note, "source": ""},
        {"setting": "baseline_unit_cost", "value": baseline.unit_cost, "unit": "currency", "reason": "", "source": ""},
        {"setting": "time_limit_s", "value": s.time_limit_s, "unit": "s", "reason": "", "source": ""},
        {"setting": "seed", "value": s.seed, "unit": "", "reason": "", "source": ""},
        {"setting": "workers", "value": s.workers, "unit": "", "reason": "", "source": ""},
        {
            "setting": "spare_servers",
            "value": s.spare_servers,
            "unit": "",
            "reason": "HA spares, each able to take over any server",
            "source": "",
        },
    ]
    business = ("baseline_hardware", "hardware_age_years", "hardware_life_years", "licences_owned", "currency", "size_for_year")
    for key in ("ha_failures", "restart_parallel", "objective", "years", *business, "business_case"):
        rows.append({"setting": key, "value": _plain(getattr(s, key)), "unit": "", "reason": SETTINGS[key][2], "source": ""})
    growth = [(f"{RESOURCE_LABELS[r]}_growth_pct_per_year", s.growth_pct(r)) for r in RESOURCES]
    rows += [
        {"setting": key, "value": value, "unit": "%", "reason": "demand growth per year", "source": ""} for key, value in growth
    ]
    rows.append(
        {
            "setting": "cost_profile",
            "value": costs.name,
            "unit": "",
            "reason": costs.description,
            "source": _file_name(costs.path),
        }
    )
    for prefix, model in (("overhead", overhead), ("cost", costs)):
        rows += [
            {"setting": f"{prefix}.{key}", "value": n.value, "unit": n.unit, "reason": n.reason, "source": n.source}
            for key, n in model.numbers.items()
        ]
    return rows


def _file_name(path: str) -> str:
    """A file's name without the folders it sat in on this machine (a workbook travels; paths do not)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1] if path else path


def _plain(value: object) -> object:
    """Yes/no for booleans, as the Settings sheet spells them."""
    return ("yes" if value else "no") if isinstance(value, bool) else value
