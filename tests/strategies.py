"""Hypothesis strategies shared by the property tests: small random estates with every rule."""

from __future__ import annotations

from hypothesis import strategies as st

from planner.domain import Estate, ServerModel, Settings, Workload


@st.composite
def workloads(draw: st.DrawFn, index: int) -> Workload:
    isolation = draw(st.sampled_from(["shared", "shared", "strict"]))
    platforms = ["vm", "any"] if isolation == "strict" else ["vm", "container", "any"]
    return Workload(
        f"w{index}",
        draw(st.sampled_from([0.25, 0.5, 1, 2, 3.5, 6])),
        draw(st.sampled_from([0.5, 1, 2, 4, 8, 12])),
        draw(st.sampled_from([0, 5, 20, 80])),
        os=draw(st.sampled_from(["linux", "linux", "windows"])),
        platform=draw(st.sampled_from(platforms)),
        isolation=isolation,
        replicas=draw(st.integers(1, 3)),
        affinity_group=draw(st.sampled_from([None, None, None, "x"])),
        anti_affinity_group=draw(st.sampled_from([None, None, "a", "b"])),
    )


@st.composite
def estates(draw: st.DrawFn) -> Estate:
    n = draw(st.integers(1, 8))
    ws = tuple(draw(workloads(i)) for i in range(n))
    models = tuple(
        ServerModel(
            f"M{k}",
            draw(st.sampled_from([8, 12, 16])),
            draw(st.sampled_from([16, 24, 48])),
            draw(st.sampled_from([200, 500])),
            draw(st.sampled_from([0, 100, 150, 260])),
            max_count=draw(st.sampled_from([None, None, 2, 4])),
        )
        for k in range(draw(st.integers(1, 2)))
    )
    s = Settings(
        hypervisor=draw(st.sampled_from(["type1", "type2"])),
        overhead_profile=draw(st.sampled_from(["none", "default"])),
        max_utilization_pct=draw(st.sampled_from([70.0, 80.0, 100.0])),
        forms=draw(st.sampled_from(["auto", "auto", "vm_only", "containers_where_allowed"])),
        time_limit_s=3.0,
        workers=2,
    )
    return Estate(ws, models, s)
