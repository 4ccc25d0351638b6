"""Benchmark plumbing, and the engine on a few real public instances when ../shared is present:
bounds never above the known optimum, plans that pass the checker, never worse than FFD."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from test_vector_cns import _first_fit, _valid

from benchmarks.__main__ import build_jobs
from benchmarks.__main__ import main as bench_main
from benchmarks.instances import BENCHDATA, Instance, bpplib, caprara_toth, parse_bpp, parse_vbp, vector
from benchmarks.methods import run_engine, run_ffd, run_textbook
from benchmarks.run import read_rows, run_instance, summarise
from planner.checker import check_plan
from planner.profiles.loading import load_profile
from planner.solver.budget import Budget
from planner.solver.packing.exact_fill import fill_patterns, partition_mip, shapes_of, slack_at
from planner.solver.packing.vector_cns import improve_vector_packing
from planner.solver.solve import solve


def test_parsers() -> None:
    assert parse_bpp("3\n10\n4\n5\n6\n") == (10, [4, 5, 6])
    caps, items = parse_vbp("2\n10 20\n2\n3 4 2\n5 6 1\n")
    assert caps == (10, 20) and items == [(3, 4), (3, 4), (5, 6)]


def test_instance_becomes_an_estate_and_runs() -> None:
    # Sizes 6,5,5,4 in bins of 10: the optimum is 2 (6+4, 5+5).
    inst = Instance("tiny", "t1", (10,), ((6,), (5,), (5,), (4,)), optimum=2)
    estate = inst.estate(5)
    assert [w.cpu_cores for w in estate.workloads] == [6, 5, 5, 4] and estate.server_models[0].cpu_cores == 10
    row = run_instance((inst, 5.0, True))
    assert (row.engine, row.ffd, row.textbook, row.violations) == (2, 2, 2, 0) and row.bound == 2
    summary = summarise([row])[0]
    assert summary["engine_at_opt"] == 1 and summary["engine_excess"] == 0
    assert (summary["textbook_at_opt"], summary["engine_vs_textbook"]) == ("1/1", "0/0 fewer")
    # a textbook run without a plan (or one above the optimum) is where the engine must need fewer
    stalled = replace(row, instance="t2", textbook=None, textbook_seconds=5.0)
    not_run = replace(row, instance="t3", textbook=None, textbook_seconds=0.0)
    summary = summarise([row, stalled, not_run])[0]
    assert (summary["textbook_at_opt"], summary["textbook_excess"], summary["engine_vs_textbook"]) == ("1/2", "n/a", "1/1 fewer")


@pytest.mark.skipif(not BENCHDATA.is_dir(), reason="../shared/benchdata not present")
def test_the_full_tier_runs_every_instance_and_the_textbook_model_on_the_quick_sample() -> None:
    full = build_jobs("full", ["ct", "vector"], BENCHDATA, textbook=True)
    quick = build_jobs("quick", ["ct", "vector"], BENCHDATA, textbook=True)
    keys = [(inst.set_name, inst.name) for inst, _, _ in full]
    assert len(set(keys)) == len(keys) == len(list(caprara_toth(BENCHDATA))) + len(list(vector(BENCHDATA)))
    # Panigrahy and New share instance names: the sample is chosen per set, not per name
    assert {(i.set_name, i.name) for i, _, tb in full if tb} == {(i.set_name, i.name) for i, _, _ in quick}
    assert all(tb for _, _, tb in quick) and {limit for _, limit, _ in quick} == {10.0}
    limits = {inst.set_name: limit for inst, limit, _ in full}
    assert limits["Triplet d3"] == 60.0 and limits["Panigrahy d3"] == 10.0 and {*limits.values()} == {30.0, 10.0, 60.0}
    assert not any(tb for _, _, tb in build_jobs("full", ["ct"], BENCHDATA, textbook=False))


def test_a_run_writes_rows_as_they_finish_and_resumes_where_it_stopped(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    (data / "ct01").mkdir(parents=True)
    (data / "ct01" / "optima.csv").write_text(
        "instance,class,n,idx,cap1,cap2,lb_volume,ffd,opt,opt_source,thesis_mean_zstar\n"
        "CL_1_4_1,1,4,1,10,10,2,2,2,test,2\nCL_1_4_2,1,4,2,10,10,2,2,2,test,2\n"
    )
    for name in ("CL_1_4_1", "CL_1_4_2"):  # 6+4 and 5+5 in cores, 3+7 and 5+5 in memory
        (data / "ct01" / f"{name}.vbp").write_text("2\n10 10\n3\n6 3 1\n4 7 1\n5 5 2\n")
    out = tmp_path / "rows.csv"
    args = ["--tier", "full", "--sets", "ct", "--data", str(data), "--out", str(out), "--no-textbook", "--processes", "1"]
    assert bench_main(args) == 0
    rows = read_rows(str(out))
    assert [(r.instance, r.engine, r.optimum, r.violations) for r in rows] == [("CL_1_4_1", 2, 2, 0), ("CL_1_4_2", 2, 2, 0)]
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:2]) + "\n")  # as if stopped after the first row
    capsys.readouterr()
    assert bench_main([*args, "--resume"]) == 0
    assert "resuming: 1 rows kept from" in capsys.readouterr().out
    assert [r.instance for r in read_rows(str(out))] == ["CL_1_4_1", "CL_1_4_2"]
    assert out.read_text().splitlines()[1] == lines[1]  # the kept row is rewritten as it was (servers as integers)


def _some(loader, names: set[str]) -> list[Instance]:  # type: ignore[no-untyped-def]
    return [i for i in loader(BENCHDATA) if i.name in names]


@pytest.mark.slow
@pytest.mark.skipif(not BENCHDATA.is_dir(), reason="../shared/benchdata not present")
def test_engine_on_real_instances_is_valid() -> None:
    picks = (
        _some(bpplib, {"Falkenauer_u120_00", "Falkenauer_t60_00", "Waescher_TEST0005", "HARD0"})
        + _some(caprara_toth, {"CL_1_25_1", "CL_10_24_1"})
        + [i for i in vector(BENCHDATA) if i.name in {"class1_20_3_0", "classC_60_3_0"}]
    )
    assert len(picks) >= 8  # class1_20_3_0 is in both the Panigrahy and the New set
    for inst in picks:
        estate = inst.estate(4)
        engine, ffd = run_engine(estate, 4), run_ffd(estate)
        assert engine.violations == 0, inst.name
        assert engine.servers is not None and ffd.servers is not None and engine.servers <= ffd.servers, inst.name
        if inst.optimum is not None:
            assert engine.bound is not None and engine.bound <= inst.optimum + 1e-9, inst.name
            assert engine.servers >= inst.optimum, inst.name


@pytest.mark.skipif(not BENCHDATA.is_dir(), reason="../shared/benchdata not present")
def test_textbook_baseline_runs() -> None:
    inst = _some(caprara_toth, {"CL_1_25_1"})[0]
    outcome = run_textbook(inst.estate(3), 3)
    assert outcome.servers is None or outcome.servers >= inst.optimum  # type: ignore[operator]


@pytest.mark.skipif(not BENCHDATA.is_dir(), reason="../shared/benchdata not present")
def test_vector_search_reaches_the_optimum_where_items_are_large_in_one_resource() -> None:
    # New class 1: most items are large in one resource and small in the others. A pool scored by
    # total normalised size kept three items large in the same resource and stalled one to three
    # servers above these optima; the balanced score with waiting weights reaches them.
    picks = [i for i in vector(BENCHDATA) if i.set_name.startswith("New") and i.name in {"class1_60_3_8", "class1_60_3_9"}]
    assert len(picks) == 2
    for inst in picks:
        sizes, cap = list(inst.items), inst.capacities
        start = _first_fit(sizes, cap)
        found = improve_vector_packing(sizes, cap, start, 1, Budget(time.monotonic() + 60, work=2.0), seed=0)
        assert inst.optimum is not None and len(start) > inst.optimum
        assert len(found) == inst.optimum and _valid(found, sizes, cap), inst.name


@pytest.mark.skipif(not BENCHDATA.is_dir(), reason="../shared/benchdata not present")
def test_bin_centric_start_matches_the_published_best_where_servers_hold_many_small_items() -> None:
    # Panigrahy class 5, 250 items: servers hold about sixteen small items. First fit and the local
    # search stopped at 17; filling one server at a time (dot product) gives the published 16,
    # which is also the volume bound, before any search step.
    inst = next(i for i in vector(BENCHDATA) if i.set_name.startswith("Panigrahy") and i.name == "class5_250_3_1")
    sizes, cap = list(inst.items), inst.capacities
    start = _first_fit(sizes, cap)
    found = improve_vector_packing(sizes, cap, start, 1, Budget(time.monotonic() + 60, work=0.0), seed=0)
    assert len(start) > 16 and inst.peer_best == 16
    assert len(found) == 16 and _valid(found, sizes, cap)


def _triplet(name: str) -> Instance:
    return next(i for i in vector(BENCHDATA) if i.set_name.startswith("Triplet") and i.name == name)


@pytest.mark.slow
@pytest.mark.skipif(not BENCHDATA.is_dir(), reason="../shared/benchdata not present")
def test_branch_and_bound_settles_a_triplet_exact_cover_that_cp_sat_leaves() -> None:
    # 501 items, ~1,500 exact-fill patterns: CP-SAT on one worker has no plan in 60 s, SCIP in ~1 s.
    inst = _triplet("classF_501_3_1")
    estate = inst.estate(30)
    model = load_profile(estate.settings.overhead_profile)
    result = solve(estate, model, time_limit_s=30, workers=1, seed=0, polish=False)
    assert len(result.plan.servers) == inst.optimum == 167 and result.status == "optimal"
    assert "branch and bound" in result.method
    assert check_plan(estate, model, result.plan) == []


@pytest.mark.skipif(not BENCHDATA.is_dir(), reason="../shared/benchdata not present")
def test_a_stop_ends_branch_and_bound() -> None:
    # This exact cover takes SCIP ~35 s; a stop set after one second ends it at once.
    inst = _triplet("classF_501_3_4")
    shapes = shapes_of(list(inst.items), inst.capacities)
    patterns = fill_patterns(shapes, slack_at(shapes, 167))
    assert patterns is not None
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    began = time.monotonic()
    assert partition_mip(shapes, patterns, 167, seconds=600, stop=stop) is None
    assert time.monotonic() - began < 15
