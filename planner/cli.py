"""The `planner` command: plan, sweep, validate, template, profiles, dashboard.

Exit codes: 0 done, 2 invalid input (problems on stderr), 1 a bug (for example a
plan that failed its independent check).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import shutil
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from planner import __version__
from planner.business.executive import executive
from planner.business.html_report import export_html
from planner.business.planning import plan_with_case
from planner.business.workbook import export_plan
from planner.cli_replay import cmd_replay, with_held_out
from planner.cli_report import print_plan, progress_printers
from planner.data import SAMPLE_DIR
from planner.domain import Estate
from planner.input_errors import InputError
from planner.interrupts import EXIT_INTERRUPTED, interruptible, terminated_as_interrupt
from planner.io.inventory import MAP_TARGETS
from planner.io.outputs import check_destination
from planner.io.reader import read_estate
from planner.io.writer import write_template
from planner.profiles.loading import list_platforms, list_profiles, load_platform, load_profile
from planner.profiles.overheads import PARAMETERS, OverheadProfile, ProfileError
from planner.study.pipeline import load_overhead
from planner.sweeps.grid import SOLVED

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
DETERMINISTIC_HELP = "the default: a fixed amount of solver work, so the same input gives the same plan anywhere"
WALL_CLOCK_HELP = "search until the time limit on the wall clock instead (uses all of it; two runs may differ)"
SAMPLE_FILES = ("estate.xlsx", "usage.csv", "servers.csv", "rvtools_v3.xlsx", "rvtools_v4.xlsx", "cmdb.csv")


def _print_problems(err: InputError) -> None:
    print(f"error: {len(err.problems)} problem(s) in the input", file=sys.stderr)
    for p in err.problems:
        print(f"  {p}", file=sys.stderr)


def _read(args: argparse.Namespace, usage: str | None = None) -> Estate:
    pairs = getattr(args, "set", None) or []
    bad = [p for p in pairs if "=" not in p or not p.partition("=")[0].strip()]
    if bad:
        from planner.input_errors import InputProblem

        raise InputError([InputProblem("--set", None, None, f"expected key=value, got {p!r}") for p in bad])
    overrides = {p.partition("=")[0].strip(): p.partition("=")[2].strip() for p in pairs}
    if getattr(args, "time_limit", None) is not None:
        overrides["time_limit_s"] = str(args.time_limit)
    if getattr(args, "seed", None) is not None:
        overrides["seed"] = str(args.seed)
    if getattr(args, "deterministic", False):
        overrides["deterministic"] = "yes"
    if getattr(args, "wall_clock", False):
        overrides["deterministic"] = "no"
    if getattr(args, "plan_only", False):
        overrides["business_case"] = "no"
    mapping = {}
    for entry in getattr(args, "map", None) or []:
        theirs, sep, target = entry.rpartition("=")
        if not sep or not theirs.strip():
            from planner.input_errors import InputProblem

            raise InputError([InputProblem("--map", None, None, f"expected 'their column=target', got {entry!r}")])
        mapping[theirs.strip()] = target.strip()
    estate = read_estate(
        args.workbook,
        servers_path=args.servers,
        overrides=overrides,
        mapping=mapping or None,
        strict=getattr(args, "strict", False),
        usage=usage or getattr(args, "usage", None),
    )
    _warn_excluded(estate)
    return estate


def _warn_excluded(estate: Estate, shown: int = 10) -> None:
    """Name each inventory row left out, on stderr (the plan's Excluded sheet lists them all)."""
    if not estate.excluded:
        return
    print(f"warning: {len(estate.excluded)} row(s) left out of the plan (--strict refuses them):", file=sys.stderr)
    for e in estate.excluded[:shown]:
        print(f"  {e.sheet}, row {e.row} ({e.name or 'no name'}): {e.reason}", file=sys.stderr)
    if len(estate.excluded) > shown:
        print(f"  ... and {len(estate.excluded) - shown} more", file=sys.stderr)


def cmd_plan(args: argparse.Namespace) -> int:
    """Check the destinations, read, solve, check and write a plan; Ctrl-C keeps the best plan so far (exit 130)."""
    out = check_destination(args.out, (".xlsx",), "--out")
    summary = None if args.summary_json is None else check_destination(args.summary_json, (".json",), "--summary-json")
    report = None if args.html is None else check_destination(args.html, (".html", ".htm"), "--html")
    estate = _read(args)
    overhead = load_overhead(estate)
    live = not args.quiet and sys.stderr.isatty()
    with interruptible("\nstopping: the best plan so far is checked and written (Ctrl-C again quits at once)") as stop:
        if not args.quiet:
            print(f"solving {len(estate.workloads)} workloads (Ctrl-C stops and keeps the best plan so far)", file=sys.stderr)

        progress, planned = (None, None) if args.quiet else progress_printers(sys.stderr, live)
        study = plan_with_case(estate, overhead=overhead, progress=progress, stop=stop, on_plan=planned)
        if live:
            sys.stderr.write("\n")  # ends the live progress line
        if args.replay:
            study = with_held_out(study, _read(args, usage=args.replay))
        ex = executive(study)  # the summary is priced once, for the workbook and the report
        export_plan(study, out, summary, ex)
        if report is not None:
            export_html(study, report, ex)
    if not args.quiet:
        print_plan(study, out)
    return EXIT_INTERRUPTED if stop.is_set() else EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """Solve every scenario of a grid on Dask, write the sweep workbook and the best plan."""
    missing = _missing_extra("distributed", "cluster", "a sweep")
    if missing:
        print(missing, file=sys.stderr)
        return EXIT_INPUT
    from planner.sweeps.cluster import results_path, run_sweep, write_sweep
    from planner.sweeps.grid import check_grid, read_grid

    out = check_destination(args.out, (".xlsx",), "--out")
    grid = read_grid(args.grid)
    estate = _read(args)
    check_grid(grid, estate)
    results = Path(args.results) if args.results else results_path(out)
    if args.fresh and results.exists():
        results.unlink()
    if not args.quiet:
        print(f"sweep of {grid.size} scenarios over {', '.join(grid.keys)}; results kept in {results}", file=sys.stderr)
    show = None if args.quiet else _sweep_printer(sys.stderr, sys.stderr.isatty())
    try:
        with terminated_as_interrupt():  # a killed sweep still closes its local scheduler and workers
            run = run_sweep(
                estate, grid, results, scheduler=args.scheduler, workers=args.workers, threads=args.threads, on_row=show
            )
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished scenarios are kept in {results}; run the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    best = write_sweep(out, grid, run, estate)
    if args.quiet:
        return EXIT_OK
    rows = [r for r in run.rows if r is not None]
    statuses = Counter(str(r["status"]) for r in rows)
    print(f"\nsweep written to {out} ({run.where or 'every scenario from earlier runs'}; {run.seconds:.1f}s)")
    print("  scenarios " + ", ".join(f"{n} {k}" for k, n in sorted(statuses.items())) + f"; {run.resumed} from earlier runs")
    if best is not None:
        print(f"  best plan written to {best}")
    if statuses.get("failed") or statuses.get("cancelled"):
        print("  run the same command again to retry the failed or cancelled scenarios", file=sys.stderr)
    return EXIT_OK


def _sweep_printer(stream: TextIO, tty: bool) -> Callable[..., None]:
    """A progress bar on a terminal, one line per scenario otherwise."""

    def show(run: object, i: int) -> None:
        rows, row, done = run.rows, run.rows[i], run.done  # type: ignore[attr-defined]
        bar = "#" * round(24 * done / len(rows))
        if row["status"] in SOLVED:
            what = f"{row['status']}, {row['servers']} servers, cost {float(row['cost']):,.0f}"
        else:
            what = f"{row['status']}: {row.get('error', '')}"
        text = f"[{bar:<24}] {done}/{len(rows)}  {row['scenario']} {what}"
        stream.write(f"\r{text[:150]:<150}" if tty else text + "\n")
        stream.flush()

    return show


def cmd_validate(args: argparse.Namespace) -> int:
    """Report input problems only."""
    estate = _read(args)
    load_overhead(estate)
    n = sum(w.replicas for w in estate.workloads)
    print(f"{args.workbook}: valid: {len(estate.workloads)} workloads ({n} replicas), {len(estate.server_models)} server models")
    for note in estate.notes:
        print(f"  {note}")
    return EXIT_OK


def _missing_extra(module: str, extra: str, what: str) -> str | None:
    """A sentence saying how to install an optional part, when its package is not installed."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"error: {what} needs the '{extra}' extra: pip install 'consolidation-planner[{extra}]'"


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Start the dashboard (Streamlit) on the bundled sample estate; it runs until interrupted."""
    missing = _missing_extra("streamlit", "dashboard", "the dashboard")
    if missing:
        print(missing, file=sys.stderr)
        return EXIT_INPUT
    page = Path(__file__).resolve().parent / "ui" / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(page), "--server.port", str(args.port)]
    command += ["--server.address", args.address, "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    print(f"dashboard on http://{args.address}:{args.port} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    os.execv(sys.executable, command)  # this process becomes the server: a signal to it reaches Streamlit
    return EXIT_BUG  # execv does not return


def cmd_sample(args: argparse.Namespace) -> int:
    """Copy the bundled sample estate, server catalog and RVTools exports into a folder, to plan or edit."""
    out = Path(args.folder)
    out.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        shutil.copyfile(SAMPLE_DIR / name, out / name)
        print(out / name)
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    """Write a blank input workbook."""
    write_template(check_destination(args.out, (".xlsx",), "--out"))
    print(f"template written to {args.out}")
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace) -> int:
    """List overhead profiles, or show one profile's numbers with their sources."""
    if args.name:
        model = load_platform(args.name) if args.name in list_platforms() else load_profile(args.name)
        print(f"{model.name}: {model.description}")
        print(f"  {platform_summary(model)}")
        for key, number in model.numbers.items():
            print(f"  {key} = {number.value:g} {PARAMETERS[key][0]}\n      {number.reason}\n      source: {number.source}")
        return EXIT_OK
    print("Base profiles (guest OS numbers and generic platforms; setting overhead_profile):")
    for name in list_profiles():
        print(f"  {name:12} {load_profile(name).description}")
    for kind in ("hypervisor", "container"):
        print(f"{kind.capitalize()} platforms (setting {kind}_platform; server column platforms):")
        for name in list_platforms(kind):
            model = load_platform(name)
            print(f"  {name:12} {platform_summary(model)}")
    return EXIT_OK


def platform_summary(profile: OverheadProfile) -> str:
    """One line on a profile: its product, type or host OSes, isolation and status, and its key numbers."""
    i = profile.info
    if i.kind == "hypervisor":
        t = i.hypervisor_type
        mem = f"{profile[f'{t}_host_memory_gb']:g} GB + {profile[f'{t}_host_memory_pct']:g}% host reserve"
        fixed, pct = profile["vm_memory_overhead_fixed_gb"] * 1024, profile["vm_memory_overhead_pct"]
        vm = f"per VM {fixed:.0f} MB + {pct:g}% of its memory"
        return f"{i.product} ({t}; {mem}; {vm}; {profile[f'{t}_cpu_overhead_pct']:g}% CPU)"
    if i.kind == "container":
        parts = [f"{'/'.join(i.host_os)} hosts", f"{profile['container_memory_gb'] * 1024:.0f} MB per container"]
        if i.orchestrator:
            parts.append(f"{profile['control_plane_nodes']:g} control-plane machines")
        if profile["node_memory_reserved_pct_first_4gb"]:
            parts.append("kubelet reserve by node size")
        parts.append(f"isolation: {i.isolation}" if i.isolation else "no isolated containers")
        status = "; DISCONTINUED" if i.status == "discontinued" else ""
        return f"{i.product} ({'; '.join(parts)}{status})"
    return profile.description


USAGE_HELP = "utilization history (.csv or .xlsx): workload, time, cpu_pct/memory_pct or cpu_cores_used/memory_gb_used"
MAP_HELP = "a CSV column mapped to ours, e.g. 'RAM (MB)=memory_mb' (repeatable); targets: " + ", ".join(MAP_TARGETS)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the planner command."""
    parser = argparse.ArgumentParser(prog="planner", description="Consolidation planning: fewest servers, VMs or containers.")
    parser.add_argument("--version", action="version", version=f"planner {__version__} (consolidation-planner)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log what the planner does (-vv: in detail)")
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="solve a workbook and write the plan workbook")
    plan.add_argument("workbook")
    plan.add_argument("--out", required=True, help="plan workbook to write (.xlsx)")
    plan.add_argument("--summary-json", help="also write the summary figures as JSON")
    plan.add_argument("--html", help="also write the executive summary as one HTML page (printable to PDF)")
    plan.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    plan.add_argument("--seed", type=int, help="random seed of the solver")
    plan.add_argument("--deterministic", action="store_true", help=DETERMINISTIC_HELP)
    plan.add_argument("--wall-clock", action="store_true", help=WALL_CLOCK_HELP)
    plan.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a setting (repeatable)")
    plan.add_argument("--servers", help="server catalog (.xlsx Servers sheet or .csv) replacing the workbook's")
    plan.add_argument("--map", action="append", default=[], metavar="THEIRS=TARGET", help=MAP_HELP)
    plan.add_argument("--quiet", action="store_true", help="no progress or summary output")
    plan.add_argument("--plan-only", action="store_true", help="skip the business case (strategies, TCO, growth): one solve only")
    plan.add_argument("--strict", action="store_true", help="refuse an inventory with rows that cannot be sized (exit 2)")
    plan.add_argument("--usage", metavar="FILE", help=USAGE_HELP)
    plan.add_argument(
        "--replay", metavar="FILE", help="also replay the plan on a later history (made on last month, checked on this)"
    )
    plan.set_defaults(func=cmd_plan)
    sweep = sub.add_parser("sweep", help="solve every scenario of a settings grid on Dask; write the table and the best plan")
    sweep.add_argument("workbook")
    sweep.add_argument("--grid", required=True, help="YAML grid: setting -> value, list of values or {from, to, step}")
    sweep.add_argument("--out", required=True, help="sweep workbook to write (.xlsx); the best plan goes beside it")
    sweep.add_argument(
        "--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)"
    )
    sweep.add_argument("--workers", type=int, help="worker processes of the local cluster (default: one per core)")
    sweep.add_argument("--threads", type=int, default=1, help="solver threads per scenario (default 1: one scenario per core)")
    sweep.add_argument("--results", help="results file to resume from (default: OUT's name + .results.jsonl)")
    sweep.add_argument("--fresh", action="store_true", help="forget earlier results and solve every scenario again")
    sweep.add_argument("--time-limit", type=float, help="solver time limit per scenario and site, seconds")
    sweep.add_argument("--seed", type=int, help="random seed of the solver")
    sweep.add_argument("--deterministic", action="store_true", help=DETERMINISTIC_HELP)
    sweep.add_argument("--wall-clock", action="store_true", help=WALL_CLOCK_HELP)
    sweep.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a setting in every scenario")
    sweep.add_argument("--servers", help="server catalog replacing the workbook's")
    sweep.add_argument("--map", action="append", default=[], metavar="THEIRS=TARGET", help=MAP_HELP)
    sweep.add_argument("--quiet", action="store_true", help="no progress or summary output")
    sweep.set_defaults(func=cmd_sweep, plan_only=True)
    validate = sub.add_parser("validate", help="report input problems only")
    validate.add_argument("workbook")
    validate.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    validate.add_argument("--servers")
    validate.add_argument("--map", action="append", default=[], metavar="THEIRS=TARGET", help=MAP_HELP)
    validate.add_argument("--strict", action="store_true", help="refuse an inventory with rows that cannot be sized")
    validate.add_argument("--usage", metavar="FILE", help=USAGE_HELP)

    replay = sub.add_parser("replay", help="replay a plan workbook on a utilization history, interval by interval")
    replay.add_argument("plan", help="a plan workbook written by 'planner plan'")
    replay.add_argument("workbook", help="the input the plan was made from")
    replay.add_argument("--usage", metavar="FILE", required=True, help=USAGE_HELP)
    replay.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    replay.add_argument("--servers")
    replay.add_argument("--map", action="append", default=[], metavar="THEIRS=TARGET", help=MAP_HELP)
    replay.set_defaults(func=lambda a: cmd_replay(a, _read))
    validate.set_defaults(func=cmd_validate)
    template = sub.add_parser("template", help="write a blank input workbook with documented columns")
    template.add_argument("out")
    template.set_defaults(func=cmd_template)
    profiles = sub.add_parser("profiles", help="list overhead profiles, or show one")
    profiles.add_argument("name", nargs="?")
    profiles.set_defaults(func=cmd_profiles)
    sample = sub.add_parser("sample", help="copy the sample estate and server catalog into a folder")
    sample.add_argument("folder", nargs="?", default=".", help="where to write them (default: here)")
    sample.set_defaults(func=cmd_sample)
    dashboard = sub.add_parser("dashboard", help="start the dashboard on the sample estate (needs the 'dashboard' extra)")
    dashboard.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    dashboard.add_argument("--address", default="localhost", help="address to serve on (default localhost)")
    dashboard.set_defaults(func=cmd_dashboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the planner command; returns the exit code."""
    args = build_parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)  # once
    logging.getLogger("planner").setLevel(level)
    try:
        return int(args.func(args))
    except InputError as err:
        _print_problems(err)
        return EXIT_INPUT
    except ProfileError as err:
        print(f"error: profile: {err}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:  # before the search watches Ctrl-C (reading the input): nothing was written
        print("\ninterrupted: nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into a pager or `head` that closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:  # a bug: say so plainly, with the detail for the report
        logging.getLogger("planner").debug("bug", exc_info=True)
        print("error: internal error (a bug, please report it):", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
