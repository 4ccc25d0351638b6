"""The dashboard's sidebar controls: every constraint, platform, overhead number and cost driver, with sources."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from planner.domain import Settings
from planner.io.columns import SETTING_SOURCES
from planner.money import HARDWARE_FRAMINGS
from planner.profiles.costs import COST_PARAMETERS
from planner.profiles.loading import list_platforms, list_profiles, load_costs, platform_product, study_overhead
from planner.profiles.overheads import PARAMETERS, ProfileError, ProfileNumbers
from planner.ui.history import sidebar_history
from planner.ui.logic import (
    FORM_CHOICES,
)

log = logging.getLogger("planner.app")
state = st.session_state


HYPERVISOR_WORDS = {"type1": "Type 1 (bare metal)", "type2": "Type 2 (hosted on an OS)"}
PROFILE_WORDS = {"default": "Typical overheads (VMware, Microsoft, containerd documents)", "none": "No overheads (raw packing)"}
RESOURCE_WORDS = {"cpu": "CPU", "memory": "memory", "storage": "storage"}
BASELINE_WORDS = {"current_hosts": "Today's hosts (or one per workload)", "one_per_workload": "One server per workload"}


def sidebar_constraints(sheet: dict[str, object]) -> dict[str, object]:
    """Every constraint, in groups (Sizing, Failure tolerance, Costs, Solver), defaulting to the workbook's Settings."""
    base = Settings()

    def default(key: str, fallback: object) -> Any:
        value = sheet.get(key)
        return fallback if value is None or value == "" else value

    c: dict[str, object] = {}
    with st.sidebar.expander("Sizing", expanded=True):
        sidebar_platform_choice(c, default)
        sidebar_sizing(c, default)
    sidebar_history(c, default)
    with st.sidebar.expander("Failure tolerance"):
        sidebar_failures(c, default)
    with st.sidebar.expander("Costs"):
        sidebar_business(c, default)
    sidebar_cost_drivers(c, default)
    with st.sidebar.expander("Solver"):
        c["time_limit_s"] = st.slider(
            "Time limit, seconds", 5, 300, int(float(default("time_limit_s", base.time_limit_s))), key="time_limit"
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


def sidebar_platform_choice(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """Hypervisor type, overhead profile, platforms, forms and the utilization ceilings."""
    base = Settings()
    hv = str(default("hypervisor", base.hypervisor))
    c["hypervisor"] = st.radio(
        "Hypervisor",
        list(HYPERVISOR_WORDS),
        format_func=HYPERVISOR_WORDS.get,
        index=list(HYPERVISOR_WORDS).index(hv) if hv in HYPERVISOR_WORDS else 0,
        horizontal=True,
        help="type 1 runs on bare metal; type 2 is hosted on an OS (more overhead)",
    )
    profiles = list_profiles()
    chosen = str(default("overhead_profile", base.overhead_profile))
    c["overhead_profile"] = st.selectbox(
        "Overhead profile",
        profiles,
        index=profiles.index(chosen) if chosen in profiles else 0,
        format_func=lambda p: PROFILE_WORDS.get(p, p),
    )
    sidebar_platforms(c, default)
    forms = list(FORM_CHOICES)
    current = str(default("forms", base.forms))
    c["forms"] = st.radio("Forms", forms, format_func=FORM_CHOICES.get, index=forms.index(current) if current in forms else 0)
    overall = float(default("max_utilization_pct", base.max_utilization_pct))
    for resource in ("cpu", "memory", "storage"):
        key = f"{resource}_max_utilization_pct"
        c[key] = st.slider(
            f"Most {RESOURCE_WORDS[resource]} a server may use, %",
            10,
            100,
            int(float(default(key, overall))),
            key=f"util_{resource}",
        )


def sidebar_failures(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """Servers the plan must survive losing, and spare servers on top."""
    c["ha_failures"] = st.number_input(
        "Servers that may fail at once",
        0,
        10,
        int(default("ha_failures", 1 if existing_vms() else 0)),
        help="the plan must survive losing any this many servers: their workloads restart on the others, every rule kept",
        key="ha_failures",
    )
    c["spare_servers"] = st.number_input(
        "Spare servers bought on top",
        0,
        50,
        int(default("spare_servers", 0)),
        help="empty servers, each able to take over any server; counted in the plan's servers and costs",
        key="spare_servers",
    )


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
        c[key] = st.number_input(label, low, high, value, step, help=help_of[key], key=key)
    fallback = {"storage_pool": "shared" if existing_vms() else base.storage_pool, "containerize": base.containerize}
    for key, label, words in SIZING_CHOICES:
        chosen = str(default(key, fallback[key]))
        options = list(words)
        index = options.index(chosen) if chosen in options else 0
        c[key] = st.radio(label, options, format_func=words.get, index=index, help=help_of[key], key=key)


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
        c[f"{kind}_platform"] = st.selectbox(
            label,
            names,
            index=names.index(chosen) if chosen in names else 0,
            format_func=lambda n: platform_product(n) if n else generic,
            key=f"{kind}_platform",
            help=f"the {kind} platform's published overheads replace the generic ones; "
            + (
                "its type (1 or 2) replaces the radio above" if kind == "hypervisor" else "an orchestrator adds its control plane"
            ),
        )
    own = default("compare_platforms", "")
    mine = [n.strip() for n in (own if isinstance(own, tuple) else str(own).split(",")) if n.strip()]
    picked = st.multiselect(
        "Compare platforms (business case)",
        list_platforms(),
        default=[n for n in mine if n in list_platforms()],
        format_func=platform_product,
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
    currency: str = "",
) -> None:
    """One number input per profile number (overhead or cost), labelled in words, with its default, reason and source."""
    with st.sidebar.expander(title):
        st.caption(f"{profile.name}: {profile.description}")
        for key, number in profile.numbers.items():
            unit, meaning = meanings[key]
            mine = own(f"{prefix}.{key}")
            value = number.value if mine in (None, "") else float(str(mine))
            c[f"{prefix}.{key}"] = st.number_input(
                f"{meaning[0].upper()}{meaning[1:]} ({unit.replace('currency', currency)})",
                min_value=0.0,
                value=float(value),
                step=max(0.001, number.value / 10 or 0.1),
                format="%.3f",
                key=f"{prefix}_{profile.name}_{key}",
                help=f"{meaning}. Default {number.value:g} {unit}: {number.reason}. Source: {number.source}",
            )
            st.caption(f"`{prefix}.{key}`, default {number.value:g}: {number.reason} ({number.source})")


def sidebar_business(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """Business-case controls: objective, currency, horizon, growth, today's hardware and licences, the baseline."""
    base = Settings()
    c["business_case"] = st.checkbox(
        "Business case (strategies, TCO, growth)",
        value=str(default("business_case", "yes")).lower() in ("yes", "true", "1"),
        key="business_case",
        help="plans the estate under each strategy and each growth year too (more solves)",
    )
    choice(c, "objective", "Optimize for", OBJECTIVE_WORDS, str(default("objective", base.objective)), horizontal=True)
    c["currency"] = st.text_input("Currency", str(default("currency", base.currency)), max_chars=3, key="currency")
    c["years"] = st.number_input("Horizon, years", 1, 30, int(default("years", base.years)), key="years")
    c["growth_pct_per_year"] = st.number_input(
        "Demand growth, % a year", 0.0, 500.0, float(default("growth_pct_per_year", base.growth_pct_per_year))
    )
    c["size_for_year"] = st.number_input(
        "Size the plan for year", 0, 30, int(default("size_for_year", base.size_for_year)), key="size_for_year",
        help="0: today's demand; N: the demand grown for N years, so the plan lasts that long",
    )  # fmt: skip
    choice(
        c, "baseline_hardware", "Today's servers", HARDWARE_FRAMINGS, str(default("baseline_hardware", base.baseline_hardware))
    )
    c["licences_owned"] = st.checkbox(
        "Today's Windows Server licences carry over",
        value=str(default("licences_owned", "yes")).lower() in ("yes", "true", "1"),
        key="licences_owned",
        help="as Azure Hybrid Benefit: the plan buys only the core licences it needs beyond today's",
    )
    choice(c, "baseline", "Count today's servers as", BASELINE_WORDS, str(default("baseline", base.baseline)))
    cost = default("baseline_unit_cost", None)
    c["baseline_unit_cost"] = st.number_input(
        "Price of replacing one of today's servers (blank: like for like from the catalog)",
        min_value=0.0,
        value=None if cost in (None, "") else float(str(cost)),
        step=500.0,
    )


OBJECTIVE_WORDS = {"capex": "Price of the servers (CAPEX)", "tco": "Total cost of ownership (TCO)"}


def choice(
    c: dict[str, object], key: str, label: str, words: Mapping[str, str], chosen: str, *, horizontal: bool = False
) -> None:
    """A radio of a setting's values, shown in words."""
    options = list(words)
    index = options.index(chosen) if chosen in options else 0
    c[key] = st.radio(label, options, format_func=words.get, index=index, horizontal=horizontal, key=key)


def sidebar_cost_drivers(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """The cost profile's numbers, each editable with its reason and source."""
    try:
        costs = load_costs(str(default("cost_profile", Settings().cost_profile)))
    except ProfileError as err:
        st.sidebar.error(str(err))
        return
    currency = str(c.get("currency") or "USD")
    profile_inputs(c, "Cost drivers", "cost", costs, COST_PARAMETERS, lambda key: default(key, None), currency)
    state.cost_numbers = {k: n.value for k, n in costs.numbers.items()}
