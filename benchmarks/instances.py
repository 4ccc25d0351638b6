"""Benchmark instances: public packing sets with published optima, and generated estates.

Every instance becomes an ordinary Estate (one server model of cost 1, raw packing at
100% utilization), so the benchmark runs the same engine and checker as a user's study.
Public data is read from ../shared/benchdata when it is there; nothing here ships it.
"""

from __future__ import annotations

import csv
import io
import random
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from planner.domain import Estate, ServerModel, Settings, Workload

BENCHDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "benchdata"
SKIPPED: list[str] = []  # instances left out, with the reason (reported by the benchmark run)


@dataclass(frozen=True)
class Instance:
    """One benchmark instance: item sizes per dimension, bin capacities, and what is known of it."""

    set_name: str
    name: str
    capacities: tuple[int, ...]
    items: tuple[tuple[int, ...], ...]
    optimum: int | None = None
    peer_best: int | None = None  # best published heuristic result (vector sets)
    estate_override: Estate | None = None

    def estate(self, time_limit_s: float) -> Estate:
        """The instance as a cores(/memory/storage) estate on one server model of cost 1."""
        if self.estate_override is not None:
            return self.estate_override
        d = len(self.capacities)
        n = len(self.items)
        # A workload needs some CPU and memory; a zero size becomes one integer unit (0.001) and the
        # capacity grows by as many units as one bin can hold items: less than one whole size unit,
        # so no packing changes, and the volume bound's slack stays that of the instance.
        eps = 0.001
        most = _most_per_bin(self.capacities, self.items)
        zero = [any(size[k] == 0 for size in self.items) if k < d else False for k in range(3)]

        def size_of(size: tuple[int, ...], k: int) -> float:
            return float(size[k]) or (eps if k < 2 else 0.0)

        workloads = tuple(
            Workload(
                f"i{k}",
                size_of(size, 0),
                size_of(size, 1) if d > 1 else 1.0,
                size_of(size, 2) if d > 2 else 0.0,
                platform="vm",
            )
            for k, size in enumerate(self.items)
        )
        caps = [float(self.capacities[k]) + (most * eps if zero[k] else 0.0) if k < d else 0.0 for k in range(3)]
        model = ServerModel("bin", caps[0], caps[1] if d > 1 else float(n + 1), caps[2] if d > 2 else 1.0, 1.0)
        settings = Settings(
            overhead_profile="none", max_utilization_pct=100, forms="vm_only", time_limit_s=time_limit_s, workers=1
        )
        return Estate(workloads, (model,), settings, source=f"{self.set_name}/{self.name}")


def _most_per_bin(capacities: tuple[int, ...], items: tuple[tuple[int, ...], ...]) -> int:
    """The most items one bin can hold: in each dimension, how many of the smallest fit; the least of those."""
    most = len(items)
    for k, cap in enumerate(capacities):
        total, count = 0, 0
        for size in sorted(item[k] for item in items):
            total += size
            if total > cap:
                break
            count += 1
        most = min(most, count)
    return max(1, most)


def parse_bpp(text: str) -> tuple[int, list[int]]:
    """BPPLIB format: number of items, capacity, then one weight per line."""
    numbers = [int(float(tok)) for tok in text.split()]
    n, capacity = numbers[0], numbers[1]
    return capacity, numbers[2 : 2 + n]


def parse_vbp(text: str) -> tuple[tuple[int, ...], list[tuple[int, ...]]]:
    """VPSolver .vbp: d; d capacities; m item types; then m lines `size_1 .. size_d demand`."""
    numbers = [int(float(tok)) for tok in text.split()]
    d = numbers[0]
    caps = tuple(numbers[1 : 1 + d])
    m = numbers[1 + d]
    items: list[tuple[int, ...]] = []
    pos = 2 + d
    for _ in range(m):
        sizes = tuple(numbers[pos : pos + d])
        items += [sizes] * numbers[pos + d]
        pos += d + 1
    return caps, items


BPPLIB_SETS = {
    "Falkenauer U": "bpplib/1_Falkenauer/Falkenauer/Falkenauer U",
    "Falkenauer T": "bpplib/1_Falkenauer/Falkenauer/Falkenauer_T",
    "Scholl 1": "bpplib/2_Scholl/Scholl/Scholl_1",
    "Scholl 2": "bpplib/2_Scholl/Scholl/Scholl_2",
    "Scholl 3": "bpplib/2_Scholl/Scholl/Scholl_3",
    "Waescher": "bpplib/3_Wäscher/Wäscher",
    "Schwerin 1": "bpplib/4_Schwerin/Schwerin/Schwerin_1",
    "Schwerin 2": "bpplib/4_Schwerin/Schwerin/Schwerin_2",
    "Hard28": "bpplib/5_Hard28/Hard28",
}


def _bpplib_optima(root: Path) -> dict[str, int]:
    out = {}
    for line in (root / "bpplib" / "Bounds.txt").read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == parts[2]:
            out[parts[0]] = int(parts[2])
    return out


def bpplib(root: Path = BENCHDATA) -> Iterator[Instance]:
    """The BPPLIB sets above as cores-only instances."""
    optima = _bpplib_optima(root)
    for set_name, folder in BPPLIB_SETS.items():
        for path in sorted((root / folder).glob("*.txt")):
            cap, weights = parse_bpp(path.read_text())
            yield Instance(set_name, path.stem, (cap,), tuple((w,) for w in weights), optima.get(path.stem))


def caprara_toth(root: Path = BENCHDATA) -> Iterator[Instance]:
    """Caprara-Toth 2-D instances (cores and memory) with their known optima."""
    with (root / "ct01" / "optima.csv").open() as handle:
        rows = {r["instance"]: r for r in csv.DictReader(handle)}
    for name in sorted(rows, key=lambda n: (int(rows[n]["class"]), int(rows[n]["n"]), int(rows[n]["idx"]))):
        caps, items = parse_vbp((root / "ct01" / f"{name}.vbp").read_text())
        opt = rows[name]["opt"]
        yield Instance(f"CT class {rows[name]['class']}", name, caps, tuple(items), int(opt) if opt else None)


def _vector_table(root: Path, set_name: str) -> dict[str, dict[str, str]]:
    with (root / "vector" / f"{set_name}_summary_known.csv").open() as handle:
        return {r["instance_name"]: r for r in csv.DictReader(handle, delimiter="\t")}


def vector(root: Path = BENCHDATA, dims: int = 3) -> Iterator[Instance]:
    """Mommessin-Erlebach-Shakhlevich vector sets, d = 3, with optima and the best published heuristic."""
    for set_name in ("Panigrahy", "New", "Triplet"):
        table = _vector_table(root, set_name)
        with tarfile.open(root / "vector" / f"{set_name}_instances.tar.gz") as tar:
            members = sorted((m for m in tar.getmembers() if m.name.endswith(".vbp")), key=lambda m: m.name)
            for member in members:
                stem = Path(member.name).stem
                if int(stem.split("_")[2]) != dims:
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                caps, items = parse_vbp(io.TextIOWrapper(handle).read())
                if any(x < 0 for size in items for x in size):
                    SKIPPED.append(f"{set_name}/{stem}: the published data has a negative size")
                    continue
                row = table.get(stem, {})
                opt = int(row["OPT"]) if row.get("OPT") not in (None, "", "-1") else None
                peer = int(row["best_overall"]) if row.get("best_overall") not in (None, "") else None
                yield Instance(f"{set_name} d3", stem, caps, tuple(items), opt, peer)


SHIRTS = [(0.5, 1, 10), (1, 2, 20), (2, 4, 40), (2, 8, 60), (4, 8, 80), (4, 16, 100), (8, 32, 200), (8, 64, 500), (16, 64, 1000)]


def generated_estate(n: int, seed: int = 7, time_limit_s: float = 60) -> Instance:
    """A realistic estate of n workloads: t-shirt sizes, mixed forms and OSes, replicas,
    anti-affinity groups, three server models (default overhead profile, 80% ceiling)."""
    rng = random.Random(seed)
    workloads = []
    for k in range(n):
        cpu, mem, disk = rng.choices(SHIRTS, weights=[6, 10, 12, 8, 6, 4, 2, 1, 1])[0]
        strict = rng.random() < 0.08
        workloads.append(
            Workload(
                f"w{k:06d}",
                cpu,
                mem,
                disk,
                os="windows" if rng.random() < 0.25 else "linux",
                platform="vm" if strict or rng.random() < 0.2 else rng.choice(["any", "any", "container"]),
                isolation="strict" if strict else "shared",
                replicas=rng.choices([1, 2, 3], weights=[70, 20, 10])[0],
                anti_affinity_group=f"aa{rng.randrange(max(1, n // 20))}" if rng.random() < 0.05 else None,
            )
        )
    models = (
        ServerModel("1U-32c-256G", 32, 256, 3840, 9800),
        ServerModel("2U-64c-512G", 64, 512, 7680, 17500),
        ServerModel("2U-96c-1T", 96, 1024, 15360, 31000),
    )
    estate = Estate(tuple(workloads), models, Settings(time_limit_s=time_limit_s, workers=1), source=f"generated {n}")
    return Instance("Generated", f"estate_{n}", (0,), (), None, None, estate)
