"""The input format as data: sheets, columns, defaults, aliases and meanings.

Readers, the template writer and the README all draw on these tables, so the
documented format and the parsed format cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One input column: its canonical name, kind, default and meaning."""

    name: str
    kind: str  # text, names (a comma-separated list), number, whole, choice, yes_no
    required: bool
    default: object
    meaning: str
    choices: tuple[str, ...] = ()
    positive: bool = False


WORKLOAD_COLUMNS = (
    Column("name", "text", True, None, "unique identifier of the workload"),
    Column(
        "cpu_cores",
        "number",
        False,
        None,
        "physical cores the workload needs at peak (> 0, fractional allowed); give this or vcpus",
        positive=True,
    ),
    Column("memory_gb", "number", True, None, "memory at peak, GB (> 0)", positive=True),
    Column("storage_gb", "number", False, 0.0, "disk it needs, GB"),
    Column("os", "choice", False, "linux", "operating system", ("linux", "windows")),
    Column(
        "platform",
        "choice",
        False,
        "any",
        "forms it may take: a VM, a container, an isolated container (its own kernel: Kata, Hyper-V isolation), or any",
        ("vm", "container", "isolated_container", "any"),
    ),
    Column(
        "isolation",
        "choice",
        False,
        "shared",
        "strict: its own kernel, so a VM or an isolated container where the container platform offers one",
        ("shared", "strict"),
    ),
    Column("replicas", "whole", False, 1, "copies, each on a different server", positive=True),
    Column("affinity_group", "text", False, None, "workloads sharing a value go on the same server"),
    Column("anti_affinity_group", "text", False, None, "workloads sharing a value go on different servers"),
    Column("current_host", "text", False, None, "physical server it runs on today (for the baseline)"),
    Column("cpu_usage_pct", "number", False, None, "measured peak CPU use, % of cpu_cores (demand sizing)"),
    Column("memory_usage_pct", "number", False, None, "measured peak memory use, % of memory_gb (demand sizing)"),
    Column("site", "text", False, None, "datacenter or cluster it runs in; each site is planned on its own servers"),
    Column(
        "vcpus",
        "number",
        False,
        None,
        "vCPUs allocated (an existing VM); cores are then derived: vcpus / vcpu_per_core, or measured use",
        positive=True,
    ),
    Column("vcpu_per_core", "number", False, None, "this workload's vCPUs per core, e.g. 1 for a database; blank: the setting"),
    Column(
        "includes_guest_os",
        "yes_no",
        False,
        False,
        "yes: its memory and disk already hold its guest OS (an existing VM): a VM adds none, a container sheds it",
    ),
    Column("zone", "text", False, None, "security zone (dmz, prod, pci...): different zones never share a server"),
    Column(
        "containerizable",
        "yes_no",
        False,
        False,
        "yes: a VM kept as a VM by lift and shift that may become a container (setting containerize = eligible)",
    ),
    Column(
        "cpu_model",
        "text",
        False,
        None,
        "CPU its cores or measured use are on today, e.g. 'Xeon E5-2680 v2 @ 2.80GHz': converted to cores of the "
        "planned servers by per-core rating (models/reference/cpu_generations.toml)",
    ),
    Column("cpu_ghz", "number", False, None, "that CPU's base clock, GHz (blank: the '@ 2.80GHz' in cpu_model)", positive=True),
)

SERVER_COLUMNS = (
    Column("model", "text", True, None, "server model name"),
    Column("cpu_cores", "number", True, None, "physical cores per server", positive=True),
    Column("memory_gb", "number", True, None, "memory per server, GB", positive=True),
    Column("storage_gb", "number", True, None, "usable disk per server, GB", positive=True),
    Column("unit_cost", "number", True, None, "CAPEX per server, in your currency"),
    Column("power_watts", "number", False, None, "typical power draw, W"),
    Column("rack_units", "number", False, None, "height in rack units"),
    Column("max_count", "whole", False, None, "most servers of this model that may be bought"),
    Column("sockets", "whole", False, 2, "CPU sockets per server (for per-socket and per-core licences)", positive=True),
    Column("threads_per_core", "whole", False, 1, "hardware threads per core: 2 with Hyper-Threading or SMT on", positive=True),
    Column(
        "platforms",
        "names",
        False,
        (),
        "platforms it may run, e.g. 'esxi, kubernetes' (profiles in models/platforms; type1, type2 and containers for the "
        "generic ones); blank: any",
    ),
    Column(
        "cpu_model",
        "text",
        False,
        None,
        "its CPU, e.g. 'AMD EPYC 9454' or 'Xeon Gold 6430 @ 2.10GHz': its per-core rating converts measured use "
        "from older CPUs (models/reference/cpu_generations.toml)",
    ),
    Column("cpu_ghz", "number", False, None, "that CPU's base clock, GHz (blank: the '@ 2.10GHz' in cpu_model)", positive=True),
)

SETTING_COLUMNS = (
    Column("setting", "text", True, None, "setting name"),
    Column("value", "text", False, None, "setting value (blank: the default)"),
)

# setting -> (kind, default, meaning, choices)
SETTINGS: dict[str, tuple[str, object, str, tuple[str, ...]]] = {
    "hypervisor": ("choice", "type1", "type1 (bare metal) or type2 (hosted on an OS)", ("type1", "type2")),
    "overhead_profile": ("text", "default", "overhead profile name in models/", ()),
    "hypervisor_platform": (
        "text",
        "",
        "hypervisor platform profile in models/platforms (esxi, hyperv, kvm...); blank: generic",
        (),
    ),
    "container_platform": (
        "text",
        "",
        "container platform profile in models/platforms (kubernetes, docker...); blank: generic",
        (),
    ),
    "compare_platforms": ("names", (), "further platforms the strategy comparison plans the estate on, e.g. 'hyperv, kvm'", ()),
    "max_utilization_pct": ("number", 80.0, "headroom: the most of each resource a server may use", ()),
    "cpu_max_utilization_pct": ("number", None, "ceiling for CPU alone (default: max_utilization_pct)", ()),
    "memory_max_utilization_pct": ("number", None, "ceiling for memory alone (default: max_utilization_pct)", ()),
    "storage_max_utilization_pct": ("number", None, "ceiling for storage alone (default: max_utilization_pct)", ()),
    "forms": (
        "choice",
        "auto",
        "auto (solver chooses), vm_only, containers_where_allowed",
        ("auto", "vm_only", "containers_where_allowed"),
    ),
    "baseline": ("choice", "current_hosts", "current_hosts or one_per_workload", ("current_hosts", "one_per_workload")),
    "baseline_unit_cost": (
        "number",
        None,
        "price of replacing one of today's servers (default: each inventory host as the cheapest "
        "model holding its cores and memory; else the cheapest model)",
        (),
    ),
    "time_limit_s": ("number", 30.0, "solver time limit, seconds", ()),
    "spare_servers": ("whole", 0, "HA spares: empty servers bought on top, each able to take over any server", ()),
    "seed": ("whole", 0, "random seed of the solver", ()),
    "workers": ("whole", 2, "solver threads", ()),
    "include_powered_off": ("yes_no", False, "yes: plan powered-off VMs of an inventory too (templates never)", ()),
    "sizing": (
        "choice",
        "allocation",
        "allocation (as configured), demand (measured peak x comfort_factor, never below demand_floor_pct) or "
        "percentile (a percentile of each workload's utilization history x comfort_factor; needs --usage or a Usage sheet)",
        ("allocation", "demand", "percentile"),
    ),
    "percentile": ("number", 95.0, "percentile sizing: the percentile of each workload's history it is sized at", ()),
    "window_days": ("number", 30.0, "percentile sizing: look-back window in days, ending at the history's last sample", ()),
    "memory_sizing": (
        "choice",
        "history",
        "with a history: memory by its percentile too (history) or kept at its allocation (allocation)",
        ("history", "allocation"),
    ),
    "packing": (
        "choice",
        "independent",
        "independent: each workload at its own peak (or percentile); time_aware: each server's load held in every "
        "time bucket of the history, so workloads whose peaks do not coincide share headroom",
        ("independent", "time_aware"),
    ),
    "time_buckets": (
        "choice",
        "interval",
        "time_aware: the buckets load is held in: interval (every sample), hour_of_day, hour_of_week, "
        "interval_of_day, interval_of_week (each slot at the percentile of its samples)",
        ("interval", "hour_of_day", "hour_of_week", "interval_of_day", "interval_of_week"),
    ),
    "comfort_factor": ("number", 1.3, "demand and percentile sizing: headroom multiplied onto measured use", ()),
    "demand_floor_pct": ("number", 25.0, "demand sizing: never below this % of the allocation", ()),
    "deterministic": (
        "yes_no",
        True,
        "yes: the search counts solver work (60% of the time limit), so the same input gives the same plan on any "
        "machine; the limit still caps the wait, and a run it stops first is marked cut short. no: the search "
        "stops on the wall clock alone (uses the whole limit, may differ between runs)",
        (),
    ),
    "objective": (
        "choice",
        "capex",
        "capex (fewest servers by price) or tco (price plus running costs over the years)",
        ("capex", "tco"),
    ),
    "cost_profile": ("text", "default", "cost-driver profile in models/costs/ (energy, rack, support, licences)", ()),
    "baseline_hardware": (
        "choice",
        "owned",
        "today's servers in the business case: owned (kept, already paid for), refresh (replaced now, like for like) "
        "or end_of_life (replaced when they reach hardware_life_years)",
        ("owned", "refresh", "end_of_life"),
    ),
    "hardware_age_years": ("number", 3.0, "end_of_life: how old today's servers are, years", ()),
    "hardware_life_years": ("number", 5.0, "end_of_life: how long a server is kept before it is replaced, years", ()),
    "licences_owned": (
        "yes_no",
        True,
        "yes: today's Windows Server core licences carry over to the plan (as Azure Hybrid Benefit), which buys only "
        "the extra cores it needs; no: both sides buy theirs",
        (),
    ),
    "currency": ("text", "USD", "what every sum is shown in: a code such as USD, EUR, CHF (prices are taken as given)", ()),
    "size_for_year": ("whole", 0, "size the plan for the demand grown this many years (0: today's demand)", ()),
    "years": ("whole", 5, "horizon of the TCO and growth tables, years", ()),
    "growth_pct_per_year": ("number", 10.0, "demand growth per year, % (every resource)", ()),
    "cpu_growth_pct_per_year": ("number", None, "CPU demand growth per year (default: growth_pct_per_year)", ()),
    "memory_growth_pct_per_year": ("number", None, "memory demand growth per year (default: growth_pct_per_year)", ()),
    "storage_growth_pct_per_year": ("number", None, "storage demand growth per year (default: growth_pct_per_year)", ()),
    "ha_failures": ("whole", 0, "servers the plan must survive losing: their workloads restart on the others", ()),
    "restart_parallel": ("whole", 8, "workloads restarted at once after a failure (for recovery time)", ()),
    "business_case": ("yes_no", True, "yes: also compare strategies, TCO and growth (more solves)", ()),
    "cross_sites": ("yes_no", False, "yes: workloads may move between sites (one pool); no: each site is planned on its own", ()),
    "site_level": (
        "choice",
        "cluster",
        "what an RVTools import calls a site: its Cluster (clusters kept apart) or its Datacenter column",
        ("datacenter", "cluster"),
    ),
    "vcpu_per_core": ("number", 4.0, "vCPUs allocated per physical core when sizing by allocation", ()),
    "hyperthreading_weight": ("number", 0.25, "what each extra hardware thread of a core adds, as a fraction of a core", ()),
    "memory_overcommit": ("number", 1.0, "memory allocated per GB of physical memory (1: no overcommit)", ()),
    "storage_basis": (
        "choice",
        "provisioned",
        "an inventory's disks as provisioned, or as in use (thin provisioning; sizing = demand always uses in use)",
        ("provisioned", "in_use"),
    ),
    "storage_pool": (
        "choice",
        "local",
        "local: the servers' disks; shared: a SAN/NAS pool, sized apart; hci: the servers' disks, replicated (vSAN, Nutanix)",
        ("local", "shared", "hci"),
    ),
    "hci_replication_factor": ("whole", 2, "hci: copies of every block (vSAN FTT=1 mirroring and Nutanix RF2 keep 2)", ()),
    "hci_slack_pct": ("number", 25.0, "hci: raw space kept free for rebuilds, maintenance and policy changes, %", ()),
    "containerize": (
        "choice",
        "none",
        "none: an inventory's VMs stay VMs (lift and shift); eligible: containerizable ones may become containers",
        ("none", "eligible"),
    ),
}

# Planning settings whose default is a published rule of thumb: setting -> (reason, source).
SETTING_SOURCES: dict[str, tuple[str, str]] = {
    "vcpu_per_core": (
        "VMs rarely use all their vCPUs at once, so planners overcommit vCPUs on physical cores; lower it "
        "(per workload: column vcpu_per_core) for latency-sensitive tiers such as databases (1 to 2)",
        "VMware vSphere 6.7 Data Center Design Cookbook, 'Determining the vCPU-to-core ratio': a typical "
        "vCPU-to-core ratio for server workloads is about 4:1",
    ),
    "hyperthreading_weight": (
        "a second hardware thread does not double a core: each thread of a busy core gets slightly more than "
        "half of the core's lone throughput, so two threads give about 1.2 to 1.3 cores",
        "VMware vSphere 8.0 Resource Management, 'Hyperthreading': an application on one logical processor of a "
        "busy core can expect slightly more than half of its throughput alone",
    ),
    "memory_overcommit": (
        "memory is rarely overcommitted in production: ballooning and swapping hurt every VM on the host",
        "VMware vSphere 8.0 Resource Management, 'Memory Overcommitment' and 'Memory Reclamation'; 1:1 is the planning default",
    ),
    "storage_pool": (
        "a cluster's VMs live on shared storage (SAN/NAS) or a replicated pool (HCI), not on one server's disks; "
        "existing VMs are planned on shared storage unless the input says local, and the plan reports the total",
        "VMware vSphere Availability, 'vSphere HA Checklist': virtual machines must be on shared storage to be "
        "restarted on another host",
    ),
    "hci_slack_pct": (
        "an HCI cluster keeps free space for rebuilds after a failure, host maintenance and storage-policy changes; "
        "with HCI storage this slack replaces the storage ceiling",
        "VMware Virtual Blocks, 'vSAN Operations: Maintain Slack Space for Storage Policy Changes' (2017): 25-30% "
        "slack space; usable = raw / replication factor (FTT=1 mirroring keeps two full copies)",
    ),
    "containerize": (
        "an inventory of VMs is planned lift and shift: a VM becomes a container only by decision; end-of-life "
        "and 32-bit OSes never do",
        "models/reference/legacy_os.toml lists the OSes never containerized, each with its lifecycle source",
    ),
}

# Alternative header spellings, after normalisation (lower case, spaces and dashes to _).
ALIASES: dict[str, str] = {
    "workload": "name",
    "vm": "name",
    "vm_name": "name",
    "application": "name",
    "app": "name",
    "cpu": "cpu_cores",
    "cores": "cpu_cores",
    "vcpu": "vcpus",
    "cpus": "vcpus",
    "num_cpu": "vcpus",
    "memory": "memory_gb",
    "ram": "memory_gb",
    "ram_gb": "memory_gb",
    "mem_gb": "memory_gb",
    "storage": "storage_gb",
    "disk": "storage_gb",
    "disk_gb": "storage_gb",
    "operating_system": "os",
    "form": "platform",
    "copies": "replicas",
    "affinity": "affinity_group",
    "anti_affinity": "anti_affinity_group",
    "host": "current_host",
    "current_server": "current_host",
    "location": "site",
    "security_zone": "zone",
    "network_zone": "zone",
    "server_model": "model",
    "cost": "unit_cost",
    "price": "unit_cost",
    "capex": "unit_cost",
    "watts": "power_watts",
    "power": "power_watts",
    "ru": "rack_units",
    "max": "max_count",
    "max_servers": "max_count",
}


def normalise_header(text: object) -> str:
    """A header as a canonical key: case, spaces and dashes folded; aliases resolved."""
    key = "_".join(str(text).strip().lower().replace("-", " ").split())
    return ALIASES.get(key, key)
