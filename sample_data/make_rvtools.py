"""Write two small, anonymised RVTools-style exports that differ the way RVTools versions do.

- `rvtools_v3.xlsx`: RVTools 3.x headers: sizes labelled "MB" ("Memory", "Provisioned MB",
  "In Use MB"), the OS from the configuration file only, vHost "# Memory" in MB.
- `rvtools_v4.xlsx`: RVTools 4.x headers: sizes labelled "MiB", both OS columns (VMware Tools
  and configuration file), a title block above the vInfo header, and a hidden vHost sheet.

Both hold templates, powered-off and suspended VMs, Windows, Linux and other OSes. Run:
`python sample_data/make_rvtools.py`.
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook, load_workbook

HERE = Path(__file__).resolve().parent

OSES = [
    ("Microsoft Windows Server 2019 (64-bit)", 3),
    ("Microsoft Windows Server 2016 or later (64-bit)", 2),
    ("Red Hat Enterprise Linux 8 (64-bit)", 3),
    ("Ubuntu Linux (64-bit)", 3),
    ("SUSE Linux Enterprise 15 (64-bit)", 1),
    ("CentOS 7 (64-bit)", 1),
    ("FreeBSD 12 (64-bit)", 1),
    ("Oracle Solaris 11 (64-bit)", 1),
]
SIZES = [(1, 2048), (2, 4096), (2, 8192), (4, 8192), (4, 16384), (8, 32768), (16, 65536)]


def _vms(rng: random.Random, n: int, hosts: list[str]) -> list[dict[str, object]]:
    vms = []
    for k in range(n):
        cpus, mem = rng.choice(SIZES)
        disk = rng.choice([40, 60, 100, 250, 500]) * 1024
        state = rng.choices(["poweredOn", "poweredOff", "suspended"], weights=[85, 12, 3])[0]
        vms.append(
            {
                "VM": f"vm-{k:03d}",
                "Powerstate": state,
                "Template": k % 23 == 7,
                "CPUs": cpus,
                "Memory": mem,
                "Provisioned": disk,
                "In Use": round(disk * rng.uniform(0.2, 0.8)),
                "Host": rng.choice(hosts),
                "Cluster": "cl-a" if k % 3 else "cl-b",
                "Datacenter": "dc-1",
                "OS": rng.choices([o for o, _ in OSES], weights=[w for _, w in OSES])[0],
            }
        )
    return vms


VHOST = [
    "Host", "Datacenter", "Cluster", "# CPU", "# Cores", "# Memory", "CPU usage %", "Memory usage %", "Vendor", "Model",
    "CPU Model", "Speed",
]  # fmt: skip
V3_CPU = ["Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz", 2095]  # 2 x 8 cores, 2017
V4_CPU = ["Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz", 2494]  # 2 x 12 cores, 2014
BASE = ["VM", "Powerstate", "Template", "CPUs", "Memory"]
PLACE = ["Host", "Cluster", "Datacenter", "OS according to the configuration file"]
V3 = [*BASE, "Provisioned MB", "In Use MB", *PLACE]
V4 = [*BASE, "Provisioned MiB", "In Use MiB", *PLACE, "OS according to the VMware Tools"]


def _write(path: Path, header: list[str], vms: list[dict[str, object]], hosts: list[list[object]], *, title: bool) -> Path:
    """An RVTools-like workbook: vInfo (optionally below a title block) and a vHost sheet (hidden with a title)."""
    book = Workbook()
    info = book.active
    info.title = "vInfo"
    if title:
        info.append(["RVTools export (anonymised sample)"])
        info.append([])
    info.append(header)
    key = {
        "Provisioned MB": "Provisioned",
        "Provisioned MiB": "Provisioned",
        "In Use MB": "In Use",
        "In Use MiB": "In Use",
        "OS according to the configuration file": "OS",
    }
    for v in vms:
        tools = v["OS"] if v["Powerstate"] == "poweredOn" else ""  # VMware Tools reports only while running
        info.append([tools if h == "OS according to the VMware Tools" else v[key.get(h, h)] for h in header])
    sheet = book.create_sheet("vHost")
    sheet.sheet_state = "hidden" if title else "visible"
    sheet.append(VHOST)
    for row in hosts:
        sheet.append(row)
    book.save(path)
    return path


def write_v3(path: Path, seed: int = 3) -> Path:
    """RVTools 3.x style: 'MB' labels, configuration-file OS only."""
    rng = random.Random(seed)
    names = [f"esx-{i:02d}" for i in range(8)]
    hosts = [
        [h, "dc-1", "cl-a", 2, 16, 262144, rng.randint(6, 18), rng.randint(20, 45), "Dell Inc.", "PowerEdge R640", *V3_CPU]
        for h in names
    ]
    return _write(path, V3, _vms(rng, 40, names), hosts, title=False)


def write_v4(path: Path, seed: int = 4) -> Path:
    """RVTools 4.x style: 'MiB' labels, both OS columns, a title block, a hidden vHost sheet, and the
    per-VM tabs vCPU (MHz use), vPartition (disk used in the guest) and vDisk (disk capacity)."""
    rng = random.Random(seed)
    names = [f"esx-{i:02d}" for i in range(6)]
    hosts = [
        [h, "dc-1", "cl-a", 2, 24, 393216, rng.randint(6, 18), rng.randint(20, 45), "HPE", "ProLiant DL380", *V4_CPU]
        for h in names
    ]
    vms = _vms(rng, 35, names)
    _write(path, V4, vms, hosts, title=True)
    return _add_vm_tabs(path, vms, random.Random(seed + 100), int(V4_CPU[1]))


def _add_vm_tabs(path: Path, vms: list[dict[str, object]], rng: random.Random, mhz: int) -> Path:
    """vCPU, vPartition and vDisk tabs as RVTools 4.x writes them, one or more rows per VM."""
    book = load_workbook(path)
    cpu = book.create_sheet("vCPU")
    cpu.append(["VM", "Powerstate", "Template", "CPUs", "Max", "Overall", "Shares", "Reservation"])
    parts = book.create_sheet("vPartition")
    parts.append(["VM", "Powerstate", "Template", "Disk", "Capacity MiB", "Consumed MiB", "Free MiB", "Free %"])
    disks = book.create_sheet("vDisk")
    disks.append(["VM", "Powerstate", "Template", "Disk", "Capacity MiB", "Thin", "Disk Mode"])
    for v in vms:
        state, template, cpus = v["Powerstate"], v["Template"], int(v["CPUs"])  # type: ignore[call-overload]
        most = cpus * mhz
        cpu.append([v["VM"], state, template, cpus, most, round(most * rng.uniform(0.02, 0.4)), 1000 * cpus, 0])
        capacity = max(10240, int(v["Provisioned"]) - int(v["Memory"]))  # type: ignore[call-overload]
        disks.append([v["VM"], state, template, "Hard disk 1", capacity, rng.random() < 0.7, "persistent"])
        for k, share in enumerate([0.3, 0.6] if capacity > 60000 else [0.9]):
            size = round(capacity * share)
            used = round(size * rng.uniform(0.2, 0.7))
            mount = ("C:\\", "D:\\")[k] if "Windows" in str(v["OS"]) else ("/", "/data")[k]
            parts.append([v["VM"], state, template, mount, size, used, size - used, round(100 * (size - used) / size)])
    book.save(path)
    return path


if __name__ == "__main__":
    print(write_v3(HERE / "rvtools_v3.xlsx"))
    print(write_v4(HERE / "rvtools_v4.xlsx"))
