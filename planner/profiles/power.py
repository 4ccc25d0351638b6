"""What a server draws at a utilization, on both sides of the business case, from one curve.

Figures by CPU generation live in `models/reference/server_power.toml` (loaded by
`planner.profiles.loading.load_server_power`): today's hosts take their era's idle and full-load
draw at their measured CPU usage; the plan's servers take their catalog draw as full load and
their era's idle share, at their planned load. A CPU of no known generation takes the file's
`unknown_idle_share`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.domain import CurrentHost, ServerModel
from planner.profiles.cpus import CpuGeneration, generation_of
from planner.profiles.overheads import ProfileError
from planner.profiles.tables import entries


@dataclass(frozen=True)
class PowerEra:
    """Servers whose CPU generation came out in or after `since`: full-load and idle draw, with the source."""

    since: int
    name: str
    full_watts: float
    idle_watts: float
    source: str

    @property
    def idle_share(self) -> float:
        """Idle draw as a share of full-load draw."""
        return self.idle_watts / self.full_watts


@dataclass(frozen=True)
class ServerPower:
    """The power reference: eras by year, and the idle share of a CPU no generation matches."""

    eras: tuple[PowerEra, ...]
    unknown_idle_share: float
    source: str

    def era(self, year: int | None) -> PowerEra | None:
        """The latest era that began in or before `year` (None for an unknown year)."""
        if year is None:
            return None
        fitting = [e for e in self.eras if e.since <= year]
        return max(fitting, key=lambda e: e.since) if fitting else None


def _watts(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 10 <= value <= 10_000:
        raise ProfileError(f"{where}: watts must be a number from 10 to 10,000, got {value!r}")
    return float(value)


def parse_power(data: dict[str, object], where: str) -> ServerPower:
    """The power reference of a file, checked: a ProfileError names the file and the entry."""
    eras = []
    for n, entry in entries(data, "era", ("since", "name", "full_watts", "idle_watts", "source"), where):
        at = f"{where}: [[era]] entry {n}"
        since = entry["since"]
        if isinstance(since, bool) or not isinstance(since, int):
            raise ProfileError(f"{at}: since must be a year")
        full, idle = _watts(entry["full_watts"], at), _watts(entry["idle_watts"], at)
        if idle > full:
            raise ProfileError(f"{at}: idle_watts must not exceed full_watts")
        eras.append(PowerEra(since, str(entry["name"]), full, idle, str(entry["source"])))
    share = data.get("unknown_idle_share", 0.4)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ProfileError(f"{where}: unknown_idle_share must be a number from 0 to 1")
    return ServerPower(tuple(eras), float(share), str(data.get("source", "")))


def draw_watts(full_watts: float, idle_share: float, utilization_pct: float) -> float:
    """Draw at a CPU utilization: linear from idle (idle_share x full) to full load."""
    u = min(1.0, max(0.0, utilization_pct / 100.0))
    return full_watts * (idle_share + (1.0 - idle_share) * u)


def _era_of(cpu_model: str | None, generations: Sequence[CpuGeneration], power: ServerPower) -> PowerEra | None:
    generation = generation_of(cpu_model, generations) if cpu_model else None
    return power.era(None if generation is None else generation.year)


def host_watts(
    host: CurrentHost, generations: Sequence[CpuGeneration], power: ServerPower, default_util_pct: float, unknown_watts: float
) -> tuple[float, str]:
    """What one of today's hosts draws, and on what basis: its era's curve at its measured (or default) usage.

    A host whose CPU generation is unknown draws `unknown_watts` (the cost profile's figure for today's servers).
    """
    era = _era_of(host.cpu_model, generations, power)
    if era is None:
        return unknown_watts, "CPU generation unknown: the cost profile's baseline_server_watts"
    util = default_util_pct if host.cpu_usage_pct is None else host.cpu_usage_pct
    measured = "measured" if host.cpu_usage_pct is not None else "assumed"
    return draw_watts(era.full_watts, era.idle_share, util), f"{era.name}, {measured} CPU usage {util:.0f}%"


def model_watts(
    model: ServerModel, utilization_pct: float, generations: Sequence[CpuGeneration], power: ServerPower, default_full: float
) -> float:
    """What one plan server draws at a CPU utilization: its catalog draw as full load, its era's idle share."""
    full = default_full if model.power_watts is None else model.power_watts
    era = _era_of(model.cpu_model, generations, power)
    share = power.unknown_idle_share if era is None else era.idle_share
    return draw_watts(full, share, utilization_pct)
