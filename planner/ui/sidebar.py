"""The dashboard's sidebar controls: every constraint, platform, overhead number and cost driver, with sources."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from planner.domain import Settings
from planner.io.columns import SETTING_SOURCES
from planner.profiles.costs import COST_PARAMETERS
from planner.profiles.loading import list_platforms, list_profiles, load_costs, study_overhead
from planner.profiles.overheads import PARAMETERS, ProfileError, ProfileNumbers
from planner.ui.history import sidebar_history
from planner.ui.logic import (
    FORM_CHOICES,
)

log = logging.getLogger("planner.app")
state = st.session_state


def sidebar_constraints(sheet: dict[str, object]) -> dict[str, object]:
    """Every constraint, defaulting to the workbook's Settings; returns the chosen values."""
    base = Settings()

    def default(key: str, fallback: object) -> Any:
        value = sheet.get(key)
        return fallback if value is None or value == "" else value

    st.sidebar.header("Constraints")
    c: dict[str, object] = {}
    hv = str(default("hypervisor", base.hypervisor))
    c["hypervisor"] = st.sidebar.radio(
        "Hypervisor",
        ["type1", "type2"],
        index=["type1", "type2"].index(hv) if hv in ("type1", "type2") else 0,
        horizontal=True,
        help="type 1 runs on bare metal; type 2 is hosted on an OS (more overhead)",
    )
    profiles = list_profiles()
    chosen = str(default("overhead_profile", base.overhead_profile))
    c["overhead_profile"] = st.sidebar.selectbox(
        "Overhead profile", profiles, index=profiles.index(chosen) if chosen in profiles else 0
    )
    sidebar_platforms(c, default)
    forms = list(FORM_CHOICES)
    current = str(default("forms", base.forms))
    c["forms"] = st.sidebar.radio(
        "Forms", forms, format_func=FORM_CHOICES.get, index=forms.index(current) if current in forms else 0
    )
    sidebar_sizing(c, default)
    sidebar_history(c, default)
    overall = float(default("max_utilization_pct", base.max_utilization_pct))
    for resource in ("cpu", "memory", "storage"):
        key = f"{resource}_max_utilization_pct"
        c[key] = st.sidebar.slider(
            f"Max {resource} utilization %", 10, 100, int(float(default(key, overall))), key=f"util_{resource}"
        )
    c["spare_servers"] = st.sidebar.number_input(
        "HA spare servers",
        0,
        50,
        int(default("spare_servers", 0)),
        help="empty servers bought on top, each able to take over any server",
    )
    c["ha_failures"] = st.sidebar.number_input(
        "Servers that may fail (HA)",
        0,
        10,
        int(default("ha_failures", 1 if existing_vms() else 0)),
        help="the plan must survive losing any this many servers: their workloads restart on the others, every rule kept",
        key="ha_failures",
    )
    sidebar_business(c, default)
    baselines = ["current_hosts", "one_per_workload"]
    b = str(default("baseline", base.baseline))
    c["baseline"] = st.sidebar.radio("Baseline (today's estate)", baselines, index=baselines.index(b) if b in baselines else 0)
    cost = sheet.get("baseline_unit_cost")
    c["baseline_unit_cost"] = st.sidebar.number_input(
        "Baseline server cost (blank: first model's)",
        min_value=0.0,
        value=None if cost in (None, "") else float(str(cost)),
        step=500.0,
    )
    c["time_limit_s"] = st.sidebar.slider(
        "Solver time limit (s)",
        5,
        300,
        int(float(default("time_limit_s", base.time_limit_s))),
        key="time_limit",
    )
    try:
        profile = study_overhead(
            Settings(
                overhead_profile=str(c["overhead_profile"]),
                hypervisor_platform=str(c["hypervisor_platform"]),
                container_platform=str(c["container_platform"]),
            )
        )
    except ProfileError as err:
        st.sidebar.error(str(err))
        return c
    profile_inputs(c, "Overhead numbers", "overhead", profile, PARAMETERS, lambda key: sheet.get(key))
    state.profile_numbers = {k: n.value for k, n in profile.numbers.items()}
    return c


SIZING_NUMBERS = (  # setting, label, lowest, highest, step
    ("vcpu_per_core", "vCPUs per physical core", 0.5, 16.0, 0.5),
    ("hyperthreading_weight", "Hyper-Threading: a second thread adds (cores)", 0.0, 1.0, 0.05),
    ("memory_overcommit", "Memory overcommit (allocated per physical GB)", 1.0, 4.0, 0.1),
)
SIZING_CHOICES = (  # setting, label, {value: words}
    (
        "storage_pool",
        "Storage",
        {"local": "Servers' own disks", "shared": "Shared SAN/NAS, sized apart", "hci": "HCI (vSAN, Nutanix): replicated"},
    ),
    ("containerize", "Existing VMs", {"none": "Existing VMs stay VMs (lift and shift)", "eligible": "Containerize eligible VMs"}),
)


def sidebar_sizing(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """How vCPUs, hardware threads, memory and storage are sized, and whether existing VMs may become containers."""
    base = Settings()
    help_of = {key: f"{reason}. Source: {source}" for key, (reason, source) in SETTING_SOURCES.items()}
    for key, label, low, high, step in SIZING_NUMBERS:
        value = float(default(key, getattr(base, key)))
        c[key] = st.sidebar.number_input(label, low, high, value, step, help=help_of[key], key=key)
    fallback = {"storage_pool": "shared" if existing_vms() else base.storage_pool, "containerize": base.containerize}
    for key, label, words in SIZING_CHOICES:
        chosen = str(default(key, fallback[key]))
        options = list(words)
        index = options.index(chosen) if chosen in options else 0
        c[key] = st.sidebar.radio(label, options, format_func=words.get, index=index, help=help_of[key], key=key)


def existing_vms() -> bool:
    """True when the workloads being edited are existing VMs (an inventory): planned N+1 by default."""
    rows = state.rows.get("workloads", [])
    if not rows:
        return False
    header = [str(h).strip().lower() for h in rows[0]]
    if "includes_guest_os" not in header:
        return False
    at = header.index("includes_guest_os")
    return any(len(r) > at and str(r[at]).strip().lower() in ("true", "yes", "1") for r in rows[1:])


def sidebar_platforms(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """Hypervisor and container platform profiles (ESXi, Hyper-V, Kubernetes...), and platforms to compare."""
    generic = "(generic numbers of the overhead profile)"
    for kind, label in (("hypervisor", "Hypervisor platform"), ("container", "Container platform")):
        names = ["", *list_platforms(kind)]
        chosen = str(default(f"{kind}_platform", ""))
        c[f"{kind}_platform"] = st.sidebar.selectbox(
            label,
            names,
            index=names.index(chosen) if chosen in names else 0,
            format_func=lambda n: n or generic,
            key=f"{kind}_platform",
            help=f"the {kind} platform's published overheads replace the generic ones; "
            + (
                "its type (1 or 2) replaces the radio above" if kind == "hypervisor" else "an orchestrator adds its control plane"
            ),
        )
    own = default("compare_platforms", "")
    mine = [n.strip() for n in (own if isinstance(own, tuple) else str(own).split(",")) if n.strip()]
    picked = st.sidebar.multiselect(
        "Compare platforms (business case)",
        list_platforms(),
        default=[n for n in mine if n in list_platforms()],
        key="compare_platforms",
        help="each platform named here adds a strategy: the estate planned on it instead of the chosen one",
    )
    c["compare_platforms"] = ", ".join(picked)


def profile_inputs(
    c: dict[str, object],
    title: str,
    prefix: str,
    profile: ProfileNumbers,
    meanings: Mapping[str, tuple[str, str]],
    own: Callable[[str], object],
) -> None:
    """One number input per profile number (overhead or cost), with its default, reason and source."""
    with st.sidebar.expander(title):
        st.caption(f"{profile.name}: {profile.description}")
        for key, number in profile.numbers.items():
            unit, meaning = meanings[key]
            mine = own(f"{prefix}.{key}")
            value = number.value if mine in (None, "") else float(str(mine))
            c[f"{prefix}.{key}"] = st.number_input(
                f"{key} ({unit})",
                min_value=0.0,
                value=float(value),
                step=max(0.001, number.value / 10 or 0.1),
                format="%.3f",
                key=f"{prefix}_{profile.name}_{key}",
                help=f"{meaning}. Default {number.value:g} {unit}: {number.reason}. Source: {number.source}",
            )
            st.caption(f"default {number.value:g} {unit}: {number.reason} ({number.source})")


def sidebar_business(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """Business-case controls: objective, horizon, growth, and the cost drivers with their sources."""
    base = Settings()
    c["business_case"] = st.sidebar.checkbox(
        "Business case (strategies, TCO, growth)",
        value=str(default("business_case", "yes")).lower() in ("yes", "true", "1"),
        key="business_case",
        help="plans the estate under each strategy and each growth year too (more solves)",
    )
    objectives = ["capex", "tco"]
    chosen = str(default("objective", base.objective))
    c["objective"] = st.sidebar.radio(
        "Optimize for",
        objectives,
        index=objectives.index(chosen) if chosen in objectives else 0,
        horizontal=True,
        help="capex: price of the servers; tco: price plus energy, rack space, support and licences over the horizon",
    )
    c["years"] = st.sidebar.number_input(
        "Horizon (years)",
        1,
        30,
        int(default("years", base.years)),
        key="years",
    )
    c["growth_pct_per_year"] = st.sidebar.number_input(
        "Demand growth % per year",
        0.0,
        500.0,
        float(default("growth_pct_per_year", base.growth_pct_per_year)),
    )
    try:
        costs = load_costs(str(default("cost_profile", base.cost_profile)))
    except ProfileError as err:
        st.sidebar.error(str(err))
        return
    profile_inputs(c, "Cost drivers", "cost", costs, COST_PARAMETERS, lambda key: default(key, None))
    state.cost_numbers = {k: n.value for k, n in costs.numbers.items()}
