"""`python -m benchmarks.dashboard_speed`: how soon the dashboard shows the sample's first checked plan, its full
plan and its complete business case (the page driven headless by Streamlit's AppTest, polled every 0.2 s).

Seconds on this machine, printed; never asserted (tests do not depend on timing).
"""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


def main() -> int:
    """Open the page on the sample and print when each stage reached it."""
    began = time.monotonic()
    at = AppTest.from_file(str(APP), default_timeout=300).run()
    seen: dict[str, float] = {}
    while time.monotonic() - began < 300:
        job = at.session_state["job"]
        shown = at.session_state["study"] if "study" in at.session_state else None  # noqa: SIM401 (no .get on AppTest state)
        if shown is not None:
            seen.setdefault("first checked plan", time.monotonic() - began)
            if shown.case is not None:
                seen.setdefault("complete business case", time.monotonic() - began)
                break
        if job.plan_study is not None and job.phase.startswith("Plan found"):
            seen.setdefault("full plan (business case being built)", time.monotonic() - began)
        time.sleep(0.2)
        at.run()
    for stage, seconds in seen.items():
        print(f"{stage:40} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
