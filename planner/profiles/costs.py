"""Cost drivers of the business case and what one server costs to buy and to run.

Cost drivers are a profile in `models/costs/` (value, reason and source per number, like
the overhead profiles) with per-study overrides (`cost.KEY` settings). Servers are bought
in year 0; running costs (energy, rack space, support, subscriptions) are paid every year.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from planner.domain import Estate, ServerModel
from planner.profiles.overheads import ProfileNumbers

HOURS_PER_YEAR = 8760.0

# key -> (unit, what the number means), in the order shown to users.
COST_PARAMETERS: dict[str, tuple[str, str]] = {
    "electricity_price_per_kwh": ("currency/kWh", "price of electricity"),
    "pue": ("ratio", "power usage effectiveness of the data centre (facility power / IT power)"),
    "grid_kg_co2_per_kwh": ("kg CO2/kWh", "CO2 emitted per kWh of electricity"),
    "default_server_watts": ("W", "full-load draw of a catalog model that gives none"),
    "default_rack_units": ("U", "rack height of a catalog model that gives none"),
    "baseline_server_watts": ("W", "average draw of one of today's servers whose CPU generation is unknown"),
    "today_host_util_pct": ("%", "CPU usage of today's hosts the inventory gives none for (for their draw)"),
    "baseline_rack_units": ("U", "rack height of one of today's servers"),
    "rack_unit_per_year": ("currency/U/year", "rack space per unit per year"),
    "support_pct_per_year": ("%/year", "hardware support per year, percent of the server's price"),
    "support_per_server_year": ("currency/server/year", "flat support fee per server per year"),
    "shared_storage_per_tb_year": ("currency/TB/year", "one usable TB on the shared SAN/NAS pool for a year"),
    "hypervisor_per_host_year": ("currency/host/year", "type-1 hypervisor subscription per host"),
    "hypervisor_per_socket_year": ("currency/socket/year", "type-1 hypervisor subscription per CPU socket"),
    "hypervisor_per_core_year": ("currency/core/year", "type-1 hypervisor subscription per core"),
    "hypervisor_min_cores_per_socket": ("cores", "cores counted at least, per socket, for per-core hypervisor pricing"),
    "type2_per_host_year": ("currency/host/year", "type-2 hypervisor licence per host"),
    "container_host_per_host_year": ("currency/host/year", "container platform subscription per bare-metal container host"),
    "windows_datacenter_per_core": (
        "currency/core",
        "Windows Server Datacenter licence per core, once, per host running Windows",
    ),
    "windows_min_cores_per_socket": ("cores", "Windows cores counted at least per processor"),
    "windows_min_cores_per_server": ("cores", "Windows cores counted at least per server"),
    "linux_per_host_year": ("currency/host/year", "Linux subscription per host running Linux guests or containers"),
}


@dataclass(frozen=True)
class CostProfile(ProfileNumbers):
    """A cost profile: the cost drivers of the business case (energy, rack space, support, licences)."""

    parameters: Mapping[str, tuple[str, str]] = field(default_factory=lambda: COST_PARAMETERS, repr=False, compare=False)

    LABEL: ClassVar[str] = "cost"


@dataclass(frozen=True)
class ServerCost:
    """What one server costs: bought once (hardware, perpetual licences) and per year, with its energy."""

    once: float
    hardware: float
    windows_licence: float
    energy: float
    rack: float
    support: float
    subscriptions: float
    kwh_per_year: float

    @property
    def per_year(self) -> float:
        """Running cost per year."""
        return self.energy + self.rack + self.support + self.subscriptions


def windows_cores(cores: float, sockets: int, costs: CostProfile) -> float:
    """Core licences a Windows Server Datacenter host needs (physical cores with both minimums)."""
    return max(math.ceil(cores), sockets * costs["windows_min_cores_per_socket"], costs["windows_min_cores_per_server"])


def subscriptions(mode: str, hypervisor: str, cores: float, sockets: int, costs: CostProfile) -> float:
    """Per-year platform subscriptions of a server in a host mode: hypervisor or container platform."""
    if mode != "hypervisor":
        return costs["container_host_per_host_year"]
    if hypervisor == "type2":
        return costs["type2_per_host_year"]
    counted = max(math.ceil(cores), sockets * costs["hypervisor_min_cores_per_socket"])
    return (
        costs["hypervisor_per_host_year"]
        + costs["hypervisor_per_socket_year"] * sockets
        + costs["hypervisor_per_core_year"] * counted
    )


def energy(watts: float, costs: CostProfile) -> tuple[float, float]:
    """kWh per year drawn at the facility (IT draw times PUE) and what it costs."""
    kwh = watts / 1000.0 * HOURS_PER_YEAR * costs["pue"]
    return kwh, kwh * costs["electricity_price_per_kwh"]


def server_cost(
    model: ServerModel,
    mode: str,
    hypervisor: str,
    runs_windows: bool,
    costs: CostProfile,
    runs_linux: bool = False,
    watts: float | None = None,
) -> ServerCost:
    """Cost of one plan server of a model in a host mode; `runs_windows` adds a Datacenter licence,
    `runs_linux` the per-host Linux subscription. It draws `watts` (default: its full-load draw)."""
    if watts is None:
        watts = costs["default_server_watts"] if model.power_watts is None else model.power_watts
    units = costs["default_rack_units"] if model.rack_units is None else model.rack_units
    kwh, power = energy(watts, costs)
    licence = windows_cores(model.cpu_cores, model.sockets, costs) * costs["windows_datacenter_per_core"] if runs_windows else 0.0
    return ServerCost(
        once=model.unit_cost + licence,
        hardware=model.unit_cost,
        windows_licence=licence,
        energy=power,
        rack=units * costs["rack_unit_per_year"],
        support=model.unit_cost * costs["support_pct_per_year"] / 100.0 + costs["support_per_server_year"],
        subscriptions=subscriptions(mode, hypervisor, model.cpu_cores, model.sockets, costs)
        + (costs["linux_per_host_year"] if runs_linux else 0.0),
        kwh_per_year=kwh,
    )


def solver_prices(estate: Estate, costs: CostProfile | None) -> list[float]:
    """The price per server model the solver minimises: CAPEX, or CAPEX plus the horizon's running costs.

    Under the TCO objective a server is priced as a hypervisor host without Windows; licences
    that depend on the host mode or the guests are priced exactly in the TCO report. `costs` may
    be None only under the CAPEX objective.
    """
    s = estate.settings
    if s.objective == "capex":
        return [m.unit_cost for m in estate.server_models]
    if costs is None:
        raise ValueError("the TCO objective needs the study's cost profile")
    out = []
    for m in estate.server_models:
        c = server_cost(m, "hypervisor", s.hypervisor, False, costs)
        out.append(c.once + s.years * c.per_year)
    return out


def model_prices(estate: Estate, costs: CostProfile | None) -> dict[str, float]:
    """`solver_prices` keyed by model name."""
    return dict(zip((m.model for m in estate.server_models), solver_prices(estate, costs), strict=True))
