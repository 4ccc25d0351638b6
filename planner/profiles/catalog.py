"""The bundled server catalog: current-generation models priced from parts, and like-for-like models of today's hosts.

`models/catalog/current.toml` lists each model's CPU (list price, TDP, cores per socket), memory
and raw NVMe, and the shared part prices (chassis, memory per GB, NVMe per TB, RAID). A model's
price and power are computed from them (`unit_cost`, `power_watts`), so every figure is visible
and editable. A like-for-like model keeps one of today's host shapes (its memory, its cores
rounded up to the smallest current CPU that matches them per socket) priced by the same formula.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from planner.domain import CurrentHost, ServerModel
from planner.profiles.overheads import ProfileError
from planner.profiles.tables import entries

SOCKETS = 2
TB_IN_GB = 1e12 / 2**30  # disks are sold in decimal TB; the planner's GB are GiB
LIKE_FOR_LIKE = "like-for-like"
THREADS = 2  # SMT on, as the catalog's servers ship
PRICE_KEYS = ("chassis", "memory_per_gb", "storage_per_tb", "raid_usable_fraction", "platform_watts")
MODEL_KEYS = {
    "model",
    "cpu_model",
    "cpu_ghz",
    "cores_per_socket",
    "cpu_price",
    "cpu_tdp_watts",
    "memory_gb",
    "raw_storage_tb",
    "source",
}


@dataclass(frozen=True)
class CatalogPrices:
    """Part prices shared by every model of the catalog, each with its source."""

    chassis: float
    memory_per_gb: float
    storage_per_tb: float
    raid_usable_fraction: float
    platform_watts: float
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CatalogModel:
    """One model of the catalog as parts: its CPU, memory and raw disk."""

    model: str
    cpu_model: str
    cpu_ghz: float
    cores_per_socket: int
    cpu_price: float
    cpu_tdp_watts: float
    memory_gb: float
    raw_storage_tb: float
    source: str


@dataclass(frozen=True)
class Catalog:
    """The bundled catalog: what it is, its currency, its part prices and its models."""

    description: str
    currency: str
    prices: CatalogPrices
    models: tuple[CatalogModel, ...]
    path: str = ""


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ProfileError(f"{where} must be a number, 0 or more")
    return float(value)


def parse_catalog(data: dict[str, object], where: str) -> Catalog:
    """A catalog file, checked: a ProfileError names the file and the entry."""
    prices = data.get("prices")
    if not isinstance(prices, dict):
        raise ProfileError(f"{where}: needs a [prices] table and one or more [[model]] entries")
    values = {k: _number(prices.get(k), f"{where}: prices.{k}") for k in PRICE_KEYS}
    if not 0 < values["raid_usable_fraction"] <= 1:
        raise ProfileError(f"{where}: prices.raid_usable_fraction must be above 0 and at most 1")
    sources = tuple((k.removesuffix("_source"), str(v)) for k, v in prices.items() if k.endswith("_source"))
    parsed = []
    for n, entry in entries(data, "model", MODEL_KEYS, where):
        numbers = {
            k: _number(entry[k], f"{where}: [[model]] entry {n}: {k}") for k in MODEL_KEYS - {"model", "cpu_model", "source"}
        }
        if numbers["cores_per_socket"] < 1 or numbers["memory_gb"] <= 0 or numbers["cpu_ghz"] <= 0:
            raise ProfileError(f"{where}: [[model]] entry {n}: cores_per_socket, memory_gb and cpu_ghz must be above 0")
        parsed.append(
            CatalogModel(
                str(entry["model"]),
                str(entry["cpu_model"]),
                numbers["cpu_ghz"],
                int(numbers["cores_per_socket"]),
                numbers["cpu_price"],
                numbers["cpu_tdp_watts"],
                numbers["memory_gb"],
                numbers["raw_storage_tb"],
                str(entry["source"]),
            )
        )
    return Catalog(
        str(data.get("description", "")), str(data.get("currency", "")), CatalogPrices(**values, sources=sources), tuple(parsed)
    )


def unit_cost(m: CatalogModel, memory_gb: float, p: CatalogPrices) -> float:
    """A server's price from parts: chassis + its CPUs + its memory + its raw NVMe."""
    return round(p.chassis + SOCKETS * m.cpu_price + memory_gb * p.memory_per_gb + m.raw_storage_tb * p.storage_per_tb, 2)


def _server(m: CatalogModel, p: CatalogPrices, name: str, memory_gb: float) -> ServerModel:
    return ServerModel(
        model=name,
        cpu_cores=SOCKETS * m.cores_per_socket,
        memory_gb=memory_gb,
        storage_gb=round(m.raw_storage_tb * TB_IN_GB * p.raid_usable_fraction, 1),
        unit_cost=unit_cost(m, memory_gb, p),
        power_watts=SOCKETS * m.cpu_tdp_watts + p.platform_watts,
        rack_units=2,
        sockets=SOCKETS,
        threads_per_core=THREADS,
        cpu_model=m.cpu_model,
        cpu_ghz=m.cpu_ghz,
    )


def catalog_servers(catalog: Catalog) -> list[ServerModel]:
    """The catalog's models as server models, priced from parts."""
    return [_server(m, catalog.prices, m.model, m.memory_gb) for m in catalog.models]


def like_for_like(hosts: Sequence[CurrentHost], catalog: Catalog) -> list[ServerModel]:
    """One model per shape of today's hosts (cores, memory): the same memory, and the smallest current CPU with
    at least as many cores per socket, priced by the catalog's formula; sorted by shape."""
    listed = {(SOCKETS * m.cores_per_socket, m.memory_gb) for m in catalog.models}
    shapes = sorted({(h.cpu_cores, round(h.memory_gb, 1)) for h in hosts if h.cpu_cores > 0 and h.memory_gb > 0})
    by_cores = sorted(catalog.models, key=lambda m: (m.cores_per_socket, m.cpu_price))
    out = []
    for cores, memory in shapes:
        need = math.ceil(cores / SOCKETS)
        cpu = next((m for m in by_cores if m.cores_per_socket >= need), by_cores[-1])
        if (SOCKETS * cpu.cores_per_socket, memory) in listed:
            continue  # the catalog sells this shape already
        name = f"{LIKE_FOR_LIKE} {SOCKETS * cpu.cores_per_socket}c-{memory:g}G (today {cores:g}c-{memory:g}G)"
        out.append(_server(cpu, catalog.prices, name, memory))
    return out
