"""The layout is the architecture: import contracts, a solver that reads no files, what a plan imports,
and every package shipped in the wheel."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import REPO

PLANNER = REPO / "planner"
MAX_LINES = 400  # a module longer than this wants splitting by what its parts do

# What reading or writing a file takes in Python; none of it belongs in the solver.
FILE_MODULES = {"pathlib", "os", "io", "tomllib", "openpyxl", "csv", "shutil", "tempfile", "json", "pandas", "yaml"}
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "glob", "rglob", "iterdir", "mkdir", "unlink"}


def _file_access(path: Path) -> list[str]:
    """Imports of file modules and calls of file functions in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] in FILE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in FILE_MODULES:
            found.append(f"imports {node.module}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in FILE_CALLS:
                found.append(f"line {node.lineno} calls {name}")
    return [f"{path.name}: {f}" for f in found]


def test_import_contracts_hold() -> None:
    """Imports point down only, only ui imports Streamlit and Plotly, Dask stays in sweeps and ui (lint-imports)."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_solver_never_touches_files() -> None:
    """No module under planner/solver imports a file module or calls a file function: it receives loaded profiles."""
    modules = sorted((PLANNER / "solver").rglob("*.py"))
    assert len(modules) > 10
    assert [f for path in modules for f in _file_access(path)] == []


def test_the_file_check_finds_file_access(tmp_path: Path) -> None:
    """The solver check would see a file read (it is not a check that cannot fail)."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from pathlib import Path\n\ndef f(p):\n    return Path(p).read_text()\n")
    assert _file_access(sneaky) == ["sneaky.py: imports pathlib", "sneaky.py: line 4 calls read_text"]


def test_a_plan_imports_no_dashboard_or_cluster_stack() -> None:
    """`planner plan` and the Python API load neither Streamlit, Plotly nor Dask (a plan-only install works)."""
    code = (
        "import sys, planner.cli, planner.api\n"
        "from planner.business.workbook import export_plan\n"
        "loaded = sorted(m for m in ('streamlit', 'plotly', 'distributed', 'dask') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_every_package_is_shipped() -> None:
    """pyproject's package list holds every package of the source tree, and the bundled data packages."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    in_tree = {".".join(p.parent.relative_to(REPO).parts) for p in PLANNER.rglob("__init__.py")}
    data = {"planner.data.models", "planner.data.sample"}
    data |= {f"planner.data.models.{d.name}" for d in (REPO / "models").iterdir() if d.is_dir()}  # every data folder
    assert listed == in_tree | data
    shipped = {key.removeprefix("planner.data.models.") for key in config["package-data"]}
    assert all(d.name in shipped for d in (REPO / "models").iterdir() if d.is_dir()), "a models/ folder's files are not shipped"
    assert config["package-dir"]["planner.data.models"] == "models"
    assert (REPO / "models" / "default.toml").is_file() and (REPO / "sample_data" / "estate.xlsx").is_file()


def test_modules_stay_small() -> None:
    """Every module of the package is at most 400 lines: longer ones are split by what their parts do."""
    long = {str(p.relative_to(REPO)): n for p in PLANNER.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_app_is_a_thin_page() -> None:
    """app.py only composes planner.ui; the page logic lives in the package."""
    lines = [line for line in (REPO / "app.py").read_text().splitlines() if line.strip()]
    assert len(lines) < 15
    assert "from planner.ui.page import run" in lines
