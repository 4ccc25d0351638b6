"""What an inventory says of today: the hosts running now, and the rows it could not size."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CurrentHost:
    """A physical server running today (from an inventory such as RVTools vHost)."""

    name: str
    cpu_cores: float
    memory_gb: float
    cpu_usage_pct: float | None = None
    memory_usage_pct: float | None = None
    vendor: str = ""
    model: str = ""
    cpu_model: str = ""  # as vHost reports it, e.g. 'Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz'
    cpu_mhz: float | None = None  # its nominal clock (vHost 'Speed'), the MHz vSphere measures use against


@dataclass(frozen=True)
class ExcludedRow:
    """An inventory row that could not be sized (blank or bad numbers), left out of the plan with its reason."""

    name: str
    sheet: str
    row: int
    column: str
    reason: str
