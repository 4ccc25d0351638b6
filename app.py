"""Streamlit dashboard: upload an estate, tweak constraints, watch the solver, export the plan.

A thin page: every part lives in `planner.ui` (input, sidebar, solving, results, page), and
every computation in the library below it. `streamlit run app.py` or `planner dashboard`.
"""

from planner.ui.page import run

run()
