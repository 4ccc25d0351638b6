"""The dashboard's entry file inside the package: `planner dashboard` runs it with Streamlit.

`app.py` at the top of a source checkout is the same thin page; both call `planner.ui.page.run`.
"""

from planner.ui.page import run

run()
