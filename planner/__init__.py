"""Consolidation planner: how few servers carry your workloads as VMs or containers, and what it saves.

The Python API (`planner.api`) is importable from here; it loads the solver on first use, so
`import planner.domain` stays light:

    from planner import read_estate, plan_estate, plan_tables, write_plan

Layout, top to bottom (imports point down only; `lint-imports` checks it):
    cli, ui        the command line and the dashboard's parts (only ui imports Streamlit)
    api            the Python API
    sweeps         scenario grids solved on Dask
    business       strategies, growth, plan comparison, the plan workbook
    study          the pipeline: solve per site, spares, failures, check, price, report
    io | solver | checker   files in and out; the packing engine; the independent plan checker
    profiles       overhead, platform and cost profiles; footprints
    sites, input_errors     what the domain says about sites; input problems with their cells
    domain, plan, data      workloads, server models, settings; plans and results; bundled files
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.version import VERSION as __version__

if TYPE_CHECKING:
    from planner.api import plan_estate, plan_tables, read_estate, write_plan

__all__ = ["__version__", "plan_estate", "plan_tables", "read_estate", "write_plan"]
_API = {"plan_estate", "plan_tables", "read_estate", "write_plan"}


def __getattr__(name: str) -> Any:
    """The API's functions, imported on first use."""
    if name in _API:
        from planner import api

        return getattr(api, name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
