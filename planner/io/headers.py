"""Column headers in words: what the plan workbook and the dashboard show instead of the rows' keys.

Rows keep their snake_case keys (the JSON summary, the API's tables and tests read those); the
workbook and the dashboard show each key in words with its unit. `from_words` maps a header back,
so a plan workbook read again (`planner replay`) finds its columns either way.
"""

from __future__ import annotations

WORDS: dict[str, str] = {
    "workload": "Workload",
    "replica": "Replica",
    "server_id": "Server",
    "server_model": "Server model",
    "model": "Model",
    "form": "Form",
    "why": "Why this form",
    "footprint_cpu_cores": "Footprint, cores",
    "footprint_memory_gb": "Footprint, memory GB",
    "footprint_storage_gb": "Footprint, storage GB",
    "os": "OS",
    "cpu_cores": "Demand, cores",
    "memory_gb": "Demand, memory GB",
    "storage_gb": "Demand, storage GB",
    "current_host": "Today's host",
    "site": "Site",
    "mode": "Runs",
    "replicas": "Replicas",
    "vcpus": "vCPUs",
    "vcpu_per_core": "vCPUs per core",
    "cpu_used": "CPU used, cores",
    "cpu_capacity": "CPU capacity, cores",
    "cpu_util_pct": "CPU used, %",
    "memory_used": "Memory used, GB",
    "memory_capacity": "Memory capacity, GB",
    "memory_util_pct": "Memory used, %",
    "storage_used": "Storage used, GB",
    "storage_capacity": "Storage capacity, GB",
    "storage_util_pct": "Storage used, %",
    "unit_cost": "Price",
    "reason": "Reason",
    "strategy": "Strategy",
    "servers": "Servers",
    "spare_servers": "Spare servers",
    "servers_by_model": "Servers by model",
    "capex": "CAPEX",
    "tco": "TCO over the horizon",
    "cost": "Cost (the objective)",
    "power_kw": "IT draw, kW",
    "rack_units": "Rack units",
    "avg_cpu_util_pct": "Average CPU used, %",
    "avg_memory_util_pct": "Average memory used, %",
    "vms": "VMs",
    "containers": "Containers",
    "unplaced": "Unplaced",
    "recovery_largest_server_s": "Restart time, largest server, s",
    "binding_resource": "Fills servers first",
    "status": "Status",
    "line": "Cost line",
    "total": "Total",
    "year": "Year",
    "cpu_demand_x": "CPU demand, x today",
    "memory_demand_x": "Memory demand, x today",
    "storage_demand_x": "Storage demand, x today",
    "servers_needed": "Servers needed",
    "servers_to_add": "Servers to add",
    "capex_needed": "CAPEX needed",
    "plan_of_year": "Plan found for year",
    "solver_status": "Solver status",
    "plan_peak_util_pct": "This plan at its peak, % of capacity",
    "plan_fits_as_placed": "This plan still fits",
    "item": "Item",
    "value": "Value",
    "failed_servers": "Servers lost",
    "replicas_restarted": "Replicas restarted",
    "replicas_stranded": "Replicas stranded",
    "peak_util_pct": "Survivors' peak load, %",
    "survived": "Survived",
    "workloads": "Workloads",
    "lower_bound": "Lower bound",
    "gap_pct": "Gap to the bound, %",
    "seconds": "Seconds",
    "setting": "Setting",
    "unit": "Unit",
    "source": "Source",
    "figure": "Figure",
    "key": "Key (JSON)",
    "history": "History",
    "intervals": "Intervals",
    "held_pct": "Held, % of intervals",
    "within_ceiling_pct": "Within the ceiling, % of intervals",
    "worst_interval": "Worst interval",
    "worst_cpu_pct": "Worst CPU load, %",
    "worst_memory_pct": "Worst memory load, %",
    "scenario": "Scenario",
    "name": "Name",
    "sheet": "Sheet",
    "row": "Row",
    "column": "Column",
    "today": "Today",
    "plan": "Plan",
    "change": "Change",
    "assumption": "Assumption",
    "chosen": "Chosen",
    "saving": "Saving",
    "payback": "Payback",
    "section": "Section",
    "verdict": "Verdict",
    "differs": "Differs",
    "today's hardware": "Today's hardware",
    "today's cost over the horizon": "Today's cost over the horizon",
    "plan's cost over the horizon": "Plan's cost over the horizon",
    "ha_failures": "Servers that may fail",
    "max_utilization_pct": "Most a server may use, %",
    "ceiling_pct": "Ceiling, %",
    "growth_year": "Growth year",
    "forms": "Forms",
    "error": "Error",
    "pareto": "On the Pareto front",
    "objective": "Objective",
    "sites": "Sites",
}
SUFFIXES = ((" memory_gb", ", memory GB"), (" cpu_cores", ", cores"), ("_pct", ", %"), ("_gb", ", GB"), ("_kw", ", kW"))
_BACK = {v: k for k, v in WORDS.items()}


def in_words(key: str) -> str:
    """A row key as a header: its words if known, else underscores as spaces with the unit spelled out."""
    if key in WORDS:
        return WORDS[key]
    if "_" not in key:
        return key
    text = key
    for suffix, words in SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)] + words
            break
    text = text.replace("_", " ")
    return text[0].upper() + text[1:] if text else text


def from_words(header: str) -> str:
    """A header back to its row key (a key, or a header not in WORDS, comes back as it is)."""
    return _BACK.get(header, header)
