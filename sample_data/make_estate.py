"""Regenerate sample_data/estate.xlsx: the estate of a mid-size company, about 300 workloads.

Before consolidation most applications run alone on their own server at ~10%
utilization; a few hosts carry two or three. Run: `python sample_data/make_estate.py`.
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook

from planner.io.columns import WORKLOAD_COLUMNS
from planner.io.writer import write_sheet

HERE = Path(__file__).resolve().parent

SERVERS = [
    # model, cores, memory GB, storage GB, unit cost, watts, rack units, max count
    {
        "model": "1U-32c-256G",
        "cpu_cores": 32,
        "memory_gb": 256,
        "storage_gb": 3840,
        "unit_cost": 9800,
        "power_watts": 450,
        "rack_units": 1,
        "max_count": None,
    },
    {
        "model": "2U-64c-512G",
        "cpu_cores": 64,
        "memory_gb": 512,
        "storage_gb": 7680,
        "unit_cost": 17500,
        "power_watts": 750,
        "rack_units": 2,
        "max_count": None,
    },
    {
        "model": "2U-96c-1T",
        "cpu_cores": 96,
        "memory_gb": 1024,
        "storage_gb": 15360,
        "unit_cost": 31000,
        "power_watts": 1100,
        "rack_units": 2,
        "max_count": None,
    },
]


def _services(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    teams = [
        "payments",
        "checkout",
        "catalog",
        "search",
        "accounts",
        "billing",
        "notify",
        "orders",
        "inventory",
        "shipping",
        "reports",
        "auth",
        "profile",
        "pricing",
        "reviews",
        "media",
        "cms",
        "gateway",
        "loyalty",
        "returns",
        "fraud",
        "ledger",
        "chat",
        "partners",
    ]
    for team in teams:  # Linux web and API services, replicated and spread
        for role, cpu, mem, replicas in (("web", 2, 4, 3), ("api", 2, 6, 2), ("worker", 1, 3, 2)):
            rows.append(
                {
                    "name": f"{team}-{role}",
                    "cpu_cores": cpu * rng.choice([0.5, 1, 1, 2]),
                    "memory_gb": mem * rng.choice([0.5, 1, 1, 2]),
                    "storage_gb": rng.choice([10, 20, 40]),
                    "os": "linux",
                    "platform": "any",
                    "replicas": replicas,
                    "anti_affinity_group": f"{team}-zone" if role == "web" else None,
                    "tier": "app",
                    "owner": team,
                }
            )
        if rng.random() < 0.5:  # an in-memory cache that must sit beside its API
            rows.append(
                {
                    "name": f"{team}-cache",
                    "cpu_cores": 1,
                    "memory_gb": rng.choice([4, 8, 16]),
                    "storage_gb": 5,
                    "os": "linux",
                    "platform": "container",
                    "replicas": 2,
                    "affinity_group": f"{team}-api-cache",
                    "tier": "cache",
                    "owner": team,
                }
            )
            rows[-2]["affinity_group"] = None
            for row in rows:
                if row["name"] == f"{team}-api":
                    row["affinity_group"] = f"{team}-api-cache"
    return rows


def _databases(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i, engine in enumerate(["postgres"] * 10 + ["mysql"] * 5 + ["oracle"] * 3):
        rows.append(
            {
                "name": f"db-{engine}-{i:02d}",
                "cpu_cores": rng.choice([4, 8, 8, 16]),
                "memory_gb": rng.choice([32, 64, 64, 128]),
                "storage_gb": rng.choice([500, 1000, 2000]),
                "os": "linux",
                "platform": "vm",
                "isolation": "strict",
                "replicas": 2,
                "anti_affinity_group": f"db-{engine}-{i:02d}-ha",
                "tier": "database",
                "owner": "dba",
            }
        )
    for i in range(6):
        rows.append(
            {
                "name": f"db-mssql-{i:02d}",
                "cpu_cores": rng.choice([4, 8, 16]),
                "memory_gb": rng.choice([32, 64, 128]),
                "storage_gb": rng.choice([500, 1000]),
                "os": "windows",
                "platform": "vm",
                "isolation": "strict",
                "replicas": 2,
                "anti_affinity_group": f"db-mssql-{i:02d}-ag",
                "tier": "database",
                "owner": "dba",
            }
        )
    return rows


def _windows(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(2):
        rows.append(
            {
                "name": f"ad-dc-{i + 1}",
                "cpu_cores": 2,
                "memory_gb": 8,
                "storage_gb": 80,
                "os": "windows",
                "platform": "vm",
                "isolation": "strict",
                "anti_affinity_group": "ad-dcs",
                "tier": "infra",
                "owner": "it",
            }
        )
    for i in range(8):
        rows.append(
            {
                "name": f"iis-app-{i:02d}",
                "cpu_cores": rng.choice([1, 2, 4]),
                "memory_gb": rng.choice([4, 8]),
                "storage_gb": 40,
                "os": "windows",
                "platform": "any",
                "replicas": rng.choice([1, 2]),
                "tier": "app",
                "owner": "intranet",
            }
        )
    for i in range(16):
        rows.append(
            {
                "name": f"win-svc-{i:02d}",
                "cpu_cores": rng.choice([1, 2]),
                "memory_gb": rng.choice([4, 8, 16]),
                "storage_gb": rng.choice([60, 100, 200]),
                "os": "windows",
                "platform": "vm",
                "tier": "app",
                "owner": "it",
            }
        )
    for i in range(4):
        rows.append(
            {
                "name": f"fileserver-{i + 1}",
                "cpu_cores": 2,
                "memory_gb": 16,
                "storage_gb": 2000,
                "os": "windows",
                "platform": "vm",
                "tier": "infra",
                "owner": "it",
            }
        )
    return rows


def _legacy_and_batch(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i, app in enumerate(
        [
            "erp-core",
            "payroll",
            "edi-gateway",
            "fax-server",
            "mainframe-bridge",
            "hr-legacy",
            "lab-system",
            "cad-license",
            "old-crm",
            "warehouse-rf",
            "print-spooler",
            "pbx-manager",
        ]
    ):
        rows.append(
            {
                "name": app,
                "cpu_cores": rng.choice([2, 4, 8]),
                "memory_gb": rng.choice([8, 16, 32]),
                "storage_gb": rng.choice([100, 200, 500]),
                "os": "windows" if i % 3 == 0 else "linux",
                "platform": "vm",
                "tier": "legacy",
                "owner": "apps",
            }
        )
    for i in range(70):
        rows.append(
            {
                "name": f"batch-{i:02d}",
                "cpu_cores": rng.choice([0.5, 1, 2, 4]),
                "memory_gb": rng.choice([1, 2, 4, 8]),
                "storage_gb": rng.choice([5, 10, 50]),
                "os": "linux",
                "platform": "container",
                "tier": "batch",
                "owner": "data",
            }
        )
    for i in range(68):
        rows.append(
            {
                "name": f"tool-{i:02d}",
                "cpu_cores": rng.choice([0.5, 1, 2]),
                "memory_gb": rng.choice([1, 2, 4]),
                "storage_gb": rng.choice([10, 20]),
                "os": "linux",
                "platform": "any",
                "tier": "tools",
                "owner": "devops",
            }
        )
    return rows


def build_rows(seed: int = 2026) -> list[dict[str, object]]:
    """The sample workloads, each with the physical server it runs on today."""
    rng = random.Random(seed)
    rows = _services(rng) + _databases(rng) + _windows(rng) + _legacy_and_batch(rng)
    host = 0
    for row in rows:  # one application per server today, a few sharing with the previous one
        if host == 0 or rng.random() > 0.15:
            host += 1
        row["current_host"] = f"srv{host:04d}"
    columns = [c.name for c in WORKLOAD_COLUMNS] + ["tier", "owner"]
    return [{c: row.get(c) for c in columns} for row in rows]


def main() -> None:
    """Write estate.xlsx and servers.csv beside this script."""
    book = Workbook()
    book.remove(book.active)
    write_sheet(book.create_sheet("Workloads"), build_rows())
    write_sheet(book.create_sheet("Servers"), SERVERS)
    write_sheet(
        book.create_sheet("Settings"),
        [
            {"setting": "hypervisor", "value": "type1"},
            {"setting": "overhead_profile", "value": "default"},
            {"setting": "max_utilization_pct", "value": 80},
            {"setting": "baseline", "value": "current_hosts"},
            {"setting": "baseline_unit_cost", "value": 7500},
            {"setting": "time_limit_s", "value": 30},
        ],
    )
    book.save(HERE / "estate.xlsx")
    lines = ["model,cpu_cores,memory_gb,storage_gb,unit_cost,power_watts,rack_units,max_count"]
    lines += [",".join("" if s[k] is None else str(s[k]) for k in s) for s in SERVERS]
    (HERE / "servers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'estate.xlsx'} ({len(build_rows())} workloads) and {HERE / 'servers.csv'}")


if __name__ == "__main__":
    main()
