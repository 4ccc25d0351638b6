"""Resources: a vector of cores, memory and storage, with the arithmetic plans and footprints need.

Units: cores, and GB meaning the binary gigabyte (GiB). Packing by time puts arrays (one amount per time
bucket) in cores and memory; the arithmetic is element-wise. This module imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RESOURCES = ("cpu_cores", "memory_gb", "storage_gb")
RESOURCE_LABELS = {"cpu_cores": "cpu", "memory_gb": "memory", "storage_gb": "storage"}


@dataclass(frozen=True)
class Resources:
    """An amount of cores, memory and storage: a demand, a footprint or a capacity."""

    cpu_cores: float = 0.0
    memory_gb: float = 0.0
    storage_gb: float = 0.0

    def __add__(self, other: Resources) -> Resources:
        return Resources(
            self.cpu_cores + other.cpu_cores,
            self.memory_gb + other.memory_gb,
            self.storage_gb + other.storage_gb,
        )

    def __sub__(self, other: Resources) -> Resources:
        return Resources(
            self.cpu_cores - other.cpu_cores,
            self.memory_gb - other.memory_gb,
            self.storage_gb - other.storage_gb,
        )

    def get(self, resource: str) -> float:
        """The amount of one resource by its name in RESOURCES (an array over time stays an array)."""
        value = getattr(self, resource)
        return value if isinstance(value, np.ndarray) else float(value)  # type: ignore[return-value]

    def scaled(self, factor: float) -> Resources:
        """Every resource multiplied by factor (for utilization ceilings)."""
        return Resources(self.cpu_cores * factor, self.memory_gb * factor, self.storage_gb * factor)

    def fits_in(self, capacity: Resources, tolerance: float = 1e-9) -> bool:
        """True when no resource exceeds the capacity's."""
        return all(bool(np.all(self.get(r) <= capacity.get(r) + tolerance)) for r in RESOURCES)
