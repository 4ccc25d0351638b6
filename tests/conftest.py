"""Shared helpers: tiny estates built in code, and workbooks written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from planner.domain import Estate, ServerModel, Settings, Workload
from planner.io.columns import SERVER_COLUMNS, WORKLOAD_COLUMNS
from planner.profiles.loading import load_profile
from planner.profiles.overheads import OverheadProfile

REPO = Path(__file__).resolve().parent.parent


def wl(name: str, cpu: float = 1, mem: float = 1, storage: float = 0, **kw: object) -> Workload:
    """A workload with small defaults."""
    return Workload(name, cpu, mem, storage, **kw)  # type: ignore[arg-type]


def server(
    model: str = "S", cpu: float = 10, mem: float = 10, storage: float = 100, cost: float = 100, **kw: object
) -> ServerModel:
    """A server model with round numbers."""
    return ServerModel(model, cpu, mem, storage, cost, **kw)  # type: ignore[arg-type]


def estate(workloads: list[Workload], servers: list[ServerModel] | None = None, **settings: object) -> Estate:
    """An estate at 100% utilization with raw packing unless told otherwise."""
    defaults: dict[str, object] = {"max_utilization_pct": 100.0, "overhead_profile": "none", "time_limit_s": 10.0, "workers": 2}
    defaults.update(settings)
    return Estate(tuple(workloads), tuple(servers or [server()]), Settings(**defaults))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def none_model() -> OverheadProfile:
    return load_profile("none")


@pytest.fixture(scope="session")
def default_model() -> OverheadProfile:
    return load_profile("default")


def write_book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write a workbook whose sheets are lists of rows (first row: headers)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


WORKLOAD_HEADER = [c.name for c in WORKLOAD_COLUMNS]
SERVER_HEADER = [c.name for c in SERVER_COLUMNS]
GOOD_WORKLOADS = [
    WORKLOAD_HEADER,
    ["web", 2, 4, 20, "linux", "any", "shared", 2, None, "web-ha", "h1"],
    ["db", 4, 16, 200, "linux", "vm", "strict", 1, None, None, "h2"],
    ["iis", 1, 4, 40, "windows", "any", "shared", 1, None, None, "h2"],
]
GOOD_SERVERS = [SERVER_HEADER, ["M1", 32, 256, 4000, 10000, 500, 1, None], ["M2", 64, 512, 8000, 18000, 800, 2, 5]]


@pytest.fixture
def good_book(tmp_path: Path) -> Path:
    return write_book(
        tmp_path / "good.xlsx",
        {"Workloads": GOOD_WORKLOADS, "Servers": GOOD_SERVERS, "Settings": [["setting", "value"], ["time_limit_s", 5]]},
    )


def random_book(
    path: Path, n: int = 40, *, seed: int = 1, sites: tuple[str, ...] = (), settings: dict[str, object] | None = None
) -> Path:
    """A workbook of `n` workloads of mixed sizes and OSes (spread over `sites` when given), two server models."""
    import random

    rng = random.Random(seed)
    rows: list[list[object]] = [WORKLOAD_HEADER]
    for i in range(n):
        values = dict.fromkeys(WORKLOAD_HEADER)
        values.update(
            name=f"app-{i:03d}",
            cpu_cores=rng.choice([1, 2, 2, 4, 4, 6, 8]),
            memory_gb=rng.choice([2, 4, 8, 8, 16, 24, 32]),
            storage_gb=rng.choice([20, 50, 100, 200]),
            os="windows" if rng.random() < 0.25 else "linux",
            current_host=f"old-{i:03d}",
            site=sites[i % len(sites)] if sites else None,
        )
        rows.append([values[h] for h in WORKLOAD_HEADER])
    servers = [SERVER_HEADER, ["small", 16, 64, 2000, 6000, 350, 1, None], ["large", 32, 128, 4000, 10000, 600, 1, None]]
    chosen = {"time_limit_s": 2, "business_case": "no", **(settings or {})}
    return write_book(
        path,
        {"Workloads": rows, "Servers": servers, "Settings": [["setting", "value"], *([k, v] for k, v in chosen.items())]},
    )
