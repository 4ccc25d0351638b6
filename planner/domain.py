"""Domain objects of a consolidation study: workloads, server models, settings, estate.

Frozen dataclasses that check themselves, so that nothing impossible reaches the
overhead profile or the solver. It imports only the bottom layer (resources, hosts, usage, money, limits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from planner import limits as L
from planner.hosts import CurrentHost, ExcludedRow
from planner.limits import text_problem
from planner.money import business_settings_problem
from planner.resources import RESOURCE_LABELS, Resources
from planner.usage import DemandOverTime, history_settings_problem

__all__ = ["CurrentHost", "ExcludedRow"]  # re-exported: what an inventory says of today lives in planner.hosts

OS_NAMES = ("linux", "windows")
PLATFORMS = ("vm", "container", "isolated_container", "any")
ISOLATIONS = ("shared", "strict")
HYPERVISORS = ("type1", "type2")
BASELINES = ("current_hosts", "one_per_workload")
FORM_POLICIES = ("auto", "vm_only", "containers_where_allowed")
OBJECTIVES = ("capex", "tco")
SITE_LEVELS = ("datacenter", "cluster")
CONTAINERIZE = ("none", "eligible")
STORAGE_POOLS = ("local", "shared", "hci")
SHARED_STORAGE_GB = 1e9  # a server's storage room when storage is shared: never the binding resource


class PlacementKind(StrEnum):
    """How one replica runs on its server: the form it takes and, for a container, where it runs.

    The value is the key the solver, the checker and the plan use; a new kind is added here.
    """

    VM = "vm"  # a virtual machine with its own guest OS, on a hypervisor host
    CONTAINER_IN_VM = "container_in_vm"  # a container in the server's container-host VM of its OS
    CONTAINER_BARE = "container_bare"  # a container on a bare-metal container host of its OS
    CONTAINER_ISOLATED = "container_isolated"  # a container with its own kernel (an isolated runtime)


class HostMode(StrEnum):
    """What a bought server runs: a hypervisor, or a bare-metal container host of one OS."""

    HYPERVISOR = "hypervisor"
    CONTAINER_HOST_LINUX = "container_host_linux"
    CONTAINER_HOST_WINDOWS = "container_host_windows"


class DomainError(ValueError):
    """An impossible value in a domain object, described in one sentence."""


def _positive(value: float, what: str, *, allow_zero: bool = False, most: float = math.inf) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise DomainError(f"{what} must be a finite number, got {value!r}")
    if value > most:
        raise DomainError(f"{what} must be at most {most:,g} (a limit of the planner), got {value:,g}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise DomainError(f"{what} must be {bound}, got {value}")


def _whole(value: object, what: str, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DomainError(f"{what} must be a whole number from {low:,} to {high:,}, got {value!r}")


def _texts(what: str, *texts: str | None) -> None:
    """Names and labels: no control characters (nothing reaches a terminal raw), at most MAX_NAME characters."""
    for text in texts:
        problem = None if text is None else text_problem(text, L.MAX_NAME)
        if problem:
            raise DomainError(f"{what}: {problem} ({text[:40]!r}...)" if text and len(text) > 40 else f"{what}: {problem}")


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise DomainError(f"{what} must be one of {', '.join(allowed)}, got {value!r}")


@dataclass(frozen=True)
class Workload:
    """One application to consolidate, with its peak demand and placement rules."""

    name: str
    cpu_cores: float
    memory_gb: float
    storage_gb: float = 0.0
    os: str = "linux"
    platform: str = "any"
    isolation: str = "shared"
    replicas: int = 1
    affinity_group: str | None = None
    anti_affinity_group: str | None = None
    current_host: str | None = None
    extra: tuple[tuple[str, object], ...] = ()
    cpu_usage_pct: float | None = None  # measured peak use, % of cpu_cores (for demand sizing)
    memory_usage_pct: float | None = None
    site: str | None = None  # datacenter or cluster it stays in unless the setting cross_sites allows moves
    vcpus: float | None = None  # vCPUs allocated (an existing VM): sizing derives cpu_cores from them
    vcpu_per_core: float | None = None  # this workload's vCPU-per-core ratio (e.g. 1 for a database); None: the setting
    includes_guest_os: bool = False  # its allocation already holds its guest OS (an existing VM or server)
    containerizable: bool = False  # kept a VM by lift-and-shift, but may become a container (setting containerize)
    zone: str | None = None  # security zone (dmz, prod, pci...): workloads of different zones never share a server
    cpu_model: str | None = None  # the CPU its use was measured on (its host's), to convert between CPU generations
    cpu_ghz: float | None = None  # that CPU's base clock; None: read from the model text ('@ 2.80GHz')

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise DomainError("a workload needs a name")
        _texts("workload name", self.name)
        _texts(f"workload {self.name}", self.site, self.zone, self.affinity_group, self.anti_affinity_group, self.current_host)
        for what, value, most in (
            ("vcpus", self.vcpus, L.MAX_WORKLOAD_CORES),
            ("vcpu_per_core", self.vcpu_per_core, L.MAX_RATIO),
        ):
            if value is not None:
                _positive(value, f"workload {self.name}: {what}", most=most)
        if self.cpu_ghz is not None:
            _positive(self.cpu_ghz, f"workload {self.name}: cpu_ghz", most=L.MAX_GHZ)
        _positive(self.cpu_cores, f"workload {self.name}: cpu_cores", most=L.MAX_WORKLOAD_CORES)
        _positive(self.memory_gb, f"workload {self.name}: memory_gb", most=L.MAX_WORKLOAD_MEMORY_GB)
        _positive(self.storage_gb, f"workload {self.name}: storage_gb", allow_zero=True, most=L.MAX_STORAGE_GB)
        _one_of(self.os, OS_NAMES, f"workload {self.name}: os")
        _one_of(self.platform, PLATFORMS, f"workload {self.name}: platform")
        _one_of(self.isolation, ISOLATIONS, f"workload {self.name}: isolation")
        _whole(self.replicas, f"workload {self.name}: replicas", 1, L.MAX_REPLICAS)
        for label, pct in (("cpu_usage_pct", self.cpu_usage_pct), ("memory_usage_pct", self.memory_usage_pct)):
            if pct is not None and not 0 <= pct <= 100:
                raise DomainError(f"workload {self.name}: {label} must be between 0 and 100, got {pct}")
        if self.isolation == "strict" and self.platform == "container":
            raise DomainError(
                f"workload {self.name}: strict isolation requires a VM or an isolated container, but platform is 'container'"
            )

    @property
    def demand(self) -> Resources:
        """Peak demand of one replica, before any overhead."""
        return Resources(self.cpu_cores, self.memory_gb, self.storage_gb)

    def allowed_forms(self, policy: str = "auto") -> tuple[str, ...]:
        """The forms this workload may take under a form policy (see FORM_POLICIES).

        Strict isolation needs its own kernel: a VM or an isolated container. Whether the study's
        container platform offers isolated containers (or this OS) is checked when the problem is built.
        """
        if self.platform == "vm" or policy == "vm_only":
            return ("vm",)
        if self.platform == "isolated_container":
            return ("isolated_container",)
        container = "isolated_container" if self.isolation == "strict" else "container"
        if self.platform == "container" or policy == "containers_where_allowed":
            return (container,)
        return ("vm", container)


@dataclass(frozen=True)
class ServerModel:
    """A server model that may be bought, with its capacity and price."""

    model: str
    cpu_cores: float
    memory_gb: float
    storage_gb: float
    unit_cost: float
    power_watts: float | None = None
    rack_units: float | None = None
    max_count: int | None = None
    sockets: int = 2
    platforms: tuple[str, ...] = ()  # platform profiles this model may run (empty: any of the study's)
    threads_per_core: int = 1  # hardware threads per core (2 with Hyper-Threading or SMT on)
    cpu_model: str | None = None  # its CPU, for the per-core rating that converts measured use between generations
    cpu_ghz: float | None = None  # that CPU's base clock; None: read from the model text ('@ 2.10GHz')

    def __post_init__(self) -> None:
        if not self.model or not self.model.strip():
            raise DomainError("a server model needs a name")
        _texts("server model name", self.model)
        if (
            not isinstance(self.threads_per_core, int)
            or isinstance(self.threads_per_core, bool)
            or not 1 <= self.threads_per_core <= 8
        ):
            raise DomainError(f"server model {self.model}: threads_per_core must be a whole number from 1 to 8")
        _whole(self.sockets, f"server model {self.model}: sockets", 1, L.MAX_SOCKETS)
        sizes = (("cpu_cores", L.MAX_SERVER_CORES), ("memory_gb", L.MAX_SERVER_MEMORY_GB), ("storage_gb", L.MAX_STORAGE_GB))
        for what, most in sizes:
            _positive(getattr(self, what), f"server model {self.model}: {what}", most=most)
        _positive(self.unit_cost, f"server model {self.model}: unit_cost", allow_zero=True, most=L.MAX_MONEY)
        if self.cpu_ghz is not None:
            _positive(self.cpu_ghz, f"server model {self.model}: cpu_ghz", most=L.MAX_GHZ)
        for what, most in (("power_watts", L.MAX_WATTS), ("rack_units", L.MAX_RACK_UNITS)):
            if getattr(self, what) is not None:
                _positive(getattr(self, what), f"server model {self.model}: {what}", allow_zero=True, most=most)
        if self.max_count is not None:
            _whole(self.max_count, f"server model {self.model}: max_count", 0, L.MAX_COUNT)

    @property
    def capacity(self) -> Resources:
        """Raw capacity of one server of this model."""
        return Resources(self.cpu_cores, self.memory_gb, self.storage_gb)


@dataclass(frozen=True)
class Settings:
    """Study settings: hypervisor, overhead profile, headroom, baseline and solver limits."""

    hypervisor: str = "type1"
    overhead_profile: str = "default"
    hypervisor_platform: str = ""  # a hypervisor platform profile (esxi, hyperv, kvm...); '' = the base's generic numbers
    container_platform: str = ""  # a container platform profile (kubernetes, docker, podman...)
    compare_platforms: tuple[str, ...] = ()  # further platforms the strategy comparison plans the estate on
    max_utilization_pct: float = 80.0
    cpu_max_utilization_pct: float | None = None
    memory_max_utilization_pct: float | None = None
    storage_max_utilization_pct: float | None = None
    forms: str = "auto"
    baseline: str = "current_hosts"
    baseline_unit_cost: float | None = None
    time_limit_s: float = 30.0
    seed: int = 0
    workers: int = 2
    deterministic: bool = True  # the limit counts solver work (a seed fixes the plan); the wall clock only caps it
    include_powered_off: bool = False
    sizing: str = "allocation"
    comfort_factor: float = 1.3
    demand_floor_pct: float = 25.0
    spare_servers: int = 0
    overhead_overrides: tuple[tuple[str, float], ...] = field(default=())
    objective: str = "capex"
    cost_profile: str = "default"
    cost_overrides: tuple[tuple[str, float], ...] = field(default=())
    baseline_hardware: str = "owned"  # today's servers: kept (owned), replaced now (refresh) or at end_of_life
    hardware_age_years: float = 3.0  # end_of_life: how old today's servers are
    hardware_life_years: float = 5.0  # end_of_life: how long a server is kept before it is replaced
    licences_owned: bool = True  # today's Windows Server licences carry over to the plan (as Azure Hybrid Benefit)
    currency: str = "USD"  # what every sum is shown in (the prices are taken as given in it)
    size_for_year: int = 0  # the plan is sized for demand grown this many years (0: today's demand)
    years: int = 5
    growth_pct_per_year: float = 10.0
    cpu_growth_pct_per_year: float | None = None
    memory_growth_pct_per_year: float | None = None
    storage_growth_pct_per_year: float | None = None
    ha_failures: int = 0
    restart_parallel: int = 8
    business_case: bool = True
    cross_sites: bool = False  # workloads may move between sites: plan the estate as one pool
    site_level: str = "cluster"  # what an RVTools import calls a site: its Cluster (kept apart) or its Datacenter
    vcpu_per_core: float = 4.0  # vCPUs allocated per physical core when sizing by allocation
    hyperthreading_weight: float = 0.25  # what each extra hardware thread of a core adds, in cores
    memory_overcommit: float = 1.0  # memory allocated per GB of physical memory (1: none)
    containerize: str = "none"  # none: an inventory's VMs stay VMs; eligible: containerizable ones may become containers
    storage_basis: str = "provisioned"  # an inventory's disks: as provisioned, or as in use (thin provisioning)
    storage_pool: str = "local"  # local: the servers' disks; shared: a SAN/NAS outside them; hci: their disks, replicated
    hci_replication_factor: int = 2  # hci: copies of every block (vSAN FTT=1 mirroring, Nutanix RF2)
    hci_slack_pct: float = 25.0  # hci: raw space kept free for rebuilds and policy changes
    percentile: float = 95.0  # sizing = percentile: the percentile of each workload's history it is sized at
    window_days: float = 30.0  # sizing = percentile: the look-back window, ending at the history's last sample
    memory_sizing: str = "history"  # with a history: memory by its percentile too, or kept at its allocation
    packing: str = "independent"  # time_aware: each server's load is held per time bucket, so peaks apart share room
    time_buckets: str = "interval"  # time_aware: the buckets load is held in (see planner.usage)

    def __post_init__(self) -> None:
        _one_of(self.hypervisor, HYPERVISORS, "setting hypervisor")
        ratios = (("vcpu_per_core", 0.1, 64.0), ("hyperthreading_weight", 0.0, 1.0), ("memory_overcommit", 0.5, 4.0))
        for name, low, high in ratios:
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
                raise DomainError(f"setting {name} must be a number from {low:g} to {high:g}, got {value!r}")
        _one_of(self.containerize, CONTAINERIZE, "setting containerize")
        _one_of(self.storage_pool, STORAGE_POOLS, "setting storage_pool")
        _one_of(self.storage_basis, ("provisioned", "in_use"), "setting storage_basis")
        _whole(self.hci_replication_factor, "setting hci_replication_factor", 1, 3)
        if not isinstance(self.hci_slack_pct, int | float) or not 0 <= self.hci_slack_pct < 100:
            raise DomainError(f"setting hci_slack_pct must be from 0 to below 100, got {self.hci_slack_pct!r}")
        _one_of(self.forms, FORM_POLICIES, "setting forms")
        _one_of(self.baseline, BASELINES, "setting baseline")
        for name in ("max_utilization_pct", *(f"{r}_max_utilization_pct" for r in ("cpu", "memory", "storage"))):
            value = getattr(self, name)
            if value is None:
                continue
            _positive(value, f"setting {name}")
            if value > 100:
                raise DomainError(f"setting {name} must be at most 100, got {value}")
        if self.baseline_unit_cost is not None:
            _positive(self.baseline_unit_cost, "setting baseline_unit_cost", allow_zero=True, most=L.MAX_MONEY)
        _positive(self.time_limit_s, "setting time_limit_s", most=L.MAX_TIME_LIMIT_S)
        _whole(self.workers, "setting workers", 1, L.MAX_WORKERS)
        _whole(self.spare_servers, "setting spare_servers", 0, L.MAX_SPARES)
        if problem := history_settings_problem(self):  # sizing, percentile, window, memory, packing, time buckets
            raise DomainError(problem)
        if not 1 <= self.comfort_factor <= 10:
            raise DomainError(f"setting comfort_factor must be from 1 to 10, got {self.comfort_factor}")
        if not 0 < self.demand_floor_pct <= 100:
            raise DomainError(f"setting demand_floor_pct must be above 0 and at most 100, got {self.demand_floor_pct}")
        if not isinstance(self.deterministic, bool):
            raise DomainError("setting deterministic must be yes or no")
        _whole(self.seed, "setting seed", 0, 2**31 - 1)  # CP-SAT's seed is a 32-bit integer
        _one_of(self.objective, OBJECTIVES, "setting objective")
        _one_of(self.site_level, SITE_LEVELS, "setting site_level")
        for name, low, high in (("years", 1, 30), ("ha_failures", 0, 10), ("restart_parallel", 1, 10_000)):
            _whole(getattr(self, name), f"setting {name}", low, high)
        for label in ("", "cpu_", "memory_", "storage_"):
            value = getattr(self, f"{label}growth_pct_per_year")
            if value is not None and not (isinstance(value, int | float) and -50 <= value <= 500):
                raise DomainError(f"setting {label}growth_pct_per_year must be between -50 and 500, got {value!r}")
        if problem := business_settings_problem(self):  # currency, hardware framing, licences, size_for_year
            raise DomainError(problem)

    def growth_pct(self, resource: str) -> float:
        """Demand growth per year for one resource: its own setting, else growth_pct_per_year."""
        own = getattr(self, f"{RESOURCE_LABELS[resource]}_growth_pct_per_year")
        return float(self.growth_pct_per_year if own is None else own)

    def utilization_pct(self, resource: str) -> float:
        """The ceiling for one resource: its own setting, else max_utilization_pct."""
        own = getattr(self, f"{RESOURCE_LABELS[resource]}_max_utilization_pct")
        return float(self.max_utilization_pct if own is None else own)


def effective_capacity(model: ServerModel, settings: Settings) -> Resources:
    """What one server carries at 100%: its cores with each extra hardware thread counted at
    `hyperthreading_weight` of a core, its memory times `memory_overcommit`, and its disks (or,
    with shared storage, room that never binds: the shared pool is sized apart; with HCI, its disks
    over the replication factor, less the slack)."""
    threads = 1 + settings.hyperthreading_weight * (model.threads_per_core - 1)
    storage = {
        "shared": SHARED_STORAGE_GB,
        "hci": model.storage_gb / settings.hci_replication_factor * (1 - settings.hci_slack_pct / 100),
    }.get(settings.storage_pool, model.storage_gb)
    return Resources(model.cpu_cores * threads, model.memory_gb * settings.memory_overcommit, storage)


@dataclass(frozen=True)
class Estate:
    """Everything a study starts from: workloads, the server catalog and settings.

    `hosts` are today's physical servers when the input lists them (the baseline then counts
    them); `notes` say what an import did (rows skipped, units converted, sizing applied).
    """

    workloads: tuple[Workload, ...]
    server_models: tuple[ServerModel, ...]
    settings: Settings = Settings()
    source: str = ""
    hosts: tuple[CurrentHost, ...] = ()
    notes: tuple[str, ...] = ()
    excluded: tuple[ExcludedRow, ...] = ()  # inventory rows left out, each with its reason
    usage: DemandOverTime | None = None  # demand over time, from a utilization history (else None)
    grown_years: int = 0  # years of demand growth its workloads carry (a plan sized for a later year)

    def __post_init__(self) -> None:
        if not self.server_models:
            raise DomainError("the estate needs at least one server model")
        names = [w.name for w in self.workloads]
        if len(set(names)) != len(names):
            raise DomainError("workload names must be unique")
        models = [m.model for m in self.server_models]
        if len(set(models)) != len(models):
            raise DomainError("server model names must be unique")

    @cached_property
    def workloads_by_name(self) -> dict[str, Workload]:
        """Workloads keyed by name."""
        return {w.name: w for w in self.workloads}

    @cached_property
    def server_models_by_name(self) -> dict[str, ServerModel]:
        """Server models keyed by name."""
        return {m.model: m for m in self.server_models}

    def workload(self, name: str) -> Workload:
        """The workload with this name (KeyError if none)."""
        return self.workloads_by_name[name]

    def server_model(self, name: str) -> ServerModel:
        """The server model with this name (KeyError if none)."""
        return self.server_models_by_name[name]

    def effective_capacity(self, model: ServerModel) -> Resources:
        """What one server of this model carries at 100% under the estate's settings (`effective_capacity`)."""
        return effective_capacity(model, self.settings)

    def usable_capacity(self, model: ServerModel) -> Resources:
        """Capacity of one server of this model under the utilization ceilings."""
        s, capacity = self.settings, self.effective_capacity(model)
        storage_pct = 100.0 if s.storage_pool == "hci" else s.utilization_pct("storage_gb")  # HCI: the slack is the headroom
        return Resources(
            capacity.cpu_cores * s.utilization_pct("cpu_cores") / 100,
            capacity.memory_gb * s.utilization_pct("memory_gb") / 100,
            capacity.storage_gb * storage_pct / 100,
        )
