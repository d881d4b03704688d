"""The `vanplan` command: plan a week, check a plan, render maps.

Every command runs inside `_handled`, the one place errors become messages and exit codes
(`planner.errors`): 0 success, 1 internal error, 2 input error, 3 the plan breaks a rule,
4 network or data error. No traceback reaches the user unless `--debug` asks for it.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from maps import render_all
from maps.render import coach_file_names
from planner.errors import (
    EXIT_DATA,
    EXIT_INTERNAL,
    InputProblem,
    InternalError,
    RulesBroken,
    UsageError,
    VanplanError,
)
from planner.i18n import Texts, error_text, message, number, texts, violation_text
from planner.input.load import load_scenario
from planner.network import Network
from planner.outputs.tables import write_tables
from planner.pipeline import (
    MAX_LIMIT_S,
    MIN_LIMIT_S,
    SECONDS_PER_JOB,
    default_cache_dir,
    network_of,
    plan_scenario,
    process_start,
)
from planner.pipeline import Progress as StageProgress
from planner.plan.tours import Plan
from planner.plan.validate import Violation, validate
from planner.reasons import REASON_COLUMN, sentence
from planner.replan.diff import PlanChange, Slot
from planner.scenario import Scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Route and schedule planner for advisory vans.",
)
err = Console(stderr=True, soft_wrap=True)
out = Console()
F = TypeVar("F", bound=Callable[..., None])


@dataclass
class _Session:
    """Options of the `vanplan` command itself, set before each subcommand runs."""

    debug: bool = False


session = _Session()

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario folder (see docs/input.md).", show_default=False)]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of user-facing output: de or en.")]
CacheOpt = Annotated[Path | None, typer.Option("--cache", help="Cache for road graphs and travel times.")]


class _RichProgress(StageProgress):
    """Shows the stages as a spinner and the search as a bar over its time limit."""

    def __init__(self, progress: Progress, lang: str) -> None:
        self.progress = progress
        self.labels = texts(lang).stages
        self.task: object | None = None

    def stage(self, name: str) -> None:
        if name == "compile":  # a one-off wait of up to a minute: say so even without a terminal
            self.progress.console.print(self.labels[name] + " …")
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)  # type: ignore[arg-type]
        self.task = self.progress.add_task(self.labels.get(name, name), total=1.0)

    def tick(self, elapsed_s: float, limit_s: float) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=min(1.0, elapsed_s / max(limit_s, 1e-9)))  # type: ignore[arg-type]


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error instead of a summary.")
    ] = False,
) -> None:
    """Route and schedule planner for advisory vans."""
    session.debug = debug


def _handled(command: F) -> F:
    """Run a command so that every error ends as one clear message and its exit code, never a traceback.

    Errors vanplan raises on purpose carry their exit code; an unreadable or unwritable file is a
    data error; anything else is a bug: the traceback goes to a log file (or, with --debug, to the
    screen) and the user reads where it is.
    """

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        try:
            command(**kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            deliberate = isinstance(exc, VanplanError) and not isinstance(exc, InternalError)
            if session.debug and not deliberate:
                raise
            lang = str(kwargs.get("lang", "de"))
            text, code = _explain(exc, texts(lang if lang in ("de", "en") else "de"), kwargs.get("cache"))
            err.print(text, markup=False)
            raise typer.Exit(code) from None

    return cast(F, run)


def _explain(exc: Exception, tx: Texts, cache: Path | None) -> tuple[str, int]:
    """The message and exit code for an error: its own for errors meant for the user, the file and
    the system's reason for an inaccessible file, else "a bug" with the log file of the traceback."""
    if isinstance(exc, VanplanError) and not isinstance(exc, InternalError):
        return error_text(exc, tx.lang), exc.exit_code
    if isinstance(exc, OSError):
        if exc.filename is None:
            return str(exc), EXIT_DATA
        return tx.cannot_access.format(file=exc.filename, error=exc.strerror or exc), EXIT_DATA
    what = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return tx.internal_error.format(error=what, log=_log_traceback(cache)), EXIT_INTERNAL


def _log_traceback(cache: Path | None) -> Path:
    """Write the current exception's traceback to a log file (in the cache folder, else the temp folder)."""
    text = traceback.format_exc()
    for folder in (cache or default_cache_dir(), Path(tempfile.gettempdir())):
        log = folder / "vanplan-error.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log.write_text(text, encoding="utf-8")
            return log
        except OSError:
            continue
    return Path("-")


@app.command("plan")
@_handled
def plan_cmd(
    scenario: ScenarioArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for plan.json, tables and maps.")] = Path(
        "out"
    ),
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Search seconds (default: scenario).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, max=2**31 - 1, help="Random seed (default: scenario).")
    ] = None,
    until_limit: Annotated[
        bool,
        typer.Option(
            "--until-limit",
            help="Search until the time limit instead of a fixed amount of work "
            "(better plans with more time; a rerun may differ).",
        ),
    ] = False,
    lang: LangOpt = "de",
    cache: CacheOpt = None,
    no_maps: Annotated[bool, typer.Option("--no-maps", help="Skip maps, day sheets and calendars.")] = False,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print day sheets to PDF (needs Chromium).")
    ] = False,
) -> None:
    """Plan the week of a scenario folder.

    Writes plan.json, tours.csv, unscheduled.csv, letters.csv and, unless --no-maps, the day and
    week maps, one page per coach, printable day sheets and one calendar (.ics) per coach.
    """
    tx = _texts(lang)
    _check_out(out_dir, scenario, tx)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
        run = plan_scenario(
            scenario,
            time_limit_s=time_limit,
            seed=seed,
            until_limit=until_limit,
            cache_dir=cache,
            progress=_RichProgress(bar, lang),
            started=process_start(),
        )
    _read_notices(run.scenario, tx)
    with _replacing(out_dir) as folder:
        written = write_tables(run.plan, run.scenario, folder, lang)
        if run.violations:
            # never hand out maps, sheets or calendars of a plan that breaks a rule
            report = folder / "violations.txt"
            report.write_text(
                "\n".join(violation_text(v, lang) for v in run.violations) + "\n", encoding="utf-8"
            )
            written.append(report)
        elif not no_maps:
            written += render_all(run.plan, run.scenario, run.network, folder, lang=lang, pdf=pdf)
        listing = _listing(written, folder)
    _notices(run.plan, tx)
    _summary(run.plan, tx)
    out.print(f"{tx.travel_times}: {message(run.plan.travel_source, tx.lang)}")
    if run.plan.stop_reason == "time_limit":
        out.print(tx.time_limit_note)
    if run.limit_scaled:
        out.print(
            tx.scaled_limit_note.format(
                limit=f"{number(run.plan.time_limit_s, 0, tx.lang)} s",
                per=f"{number(SECONDS_PER_JOB, 1, tx.lang)} s",
                low=f"{number(MIN_LIMIT_S, 0, tx.lang)} s",
                high=f"{number(MAX_LIMIT_S / 60, 0, tx.lang)} min",
            )
        )
    if run.plan.slowed:
        share = tx.percent.format(n=number(100 * run.plan.cpu_share, 0, tx.lang))
        out.print(tx.busy_note.format(share=share, workers=run.plan.unfinished_workers))
    out.print(f"{len(written)} {tx.files_in} {out_dir}/ {listing}")
    _report(run.violations, tx)


@app.command("map")
@_handled
def map_cmd(
    scenario: ScenarioArg,
    plan_file: Annotated[
        Path, typer.Argument(help="plan.json written by `vanplan plan`.", show_default=False)
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the pages.")] = Path("out"),
    coach: Annotated[
        str | None, typer.Option("--coach", help="Only this coach's pages and calendar.")
    ] = None,
    day: Annotated[str | None, typer.Option("--date", help="Only this date (YYYY-MM-DD).")] = None,
    lang: LangOpt = "de",
    cache: CacheOpt = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print day sheets to PDF (needs Chromium).")
    ] = False,
) -> None:
    """Render maps, coach pages, day sheets and calendars from an existing plan (no re-planning)."""
    tx = _texts(lang)
    sc, network, plan = _scenario_network_plan(scenario, plan_file, cache, tx)
    _read_notices(sc, tx)
    if coach is not None and coach not in {c.id for c in sc.coaches}:
        raise UsageError(tx.not_a_coach.format(value=repr(coach)))
    when = _date_option(day, tx)
    with tempfile.TemporaryDirectory() as tmp:
        rendered = render_all(_restrict(plan, coach, when, tx), sc, network, Path(tmp), lang=lang, pdf=pdf)
        names = coach_file_names(plan, sc)
        written = []
        for path in rendered:
            rel = path.relative_to(tmp)
            if _wanted(rel, None if coach is None else names[coach], when):
                target = out_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                written.append(target)
    out.print(f"{len(written)} {tx.files_in} {out_dir}/ {_listing(written, out_dir)}")


@app.command("validate")
@_handled
def validate_cmd(
    scenario: ScenarioArg,
    plan_file: Annotated[
        Path, typer.Argument(help="plan.json written by `vanplan plan`.", show_default=False)
    ],
    lang: LangOpt = "de",
    cache: CacheOpt = None,
) -> None:
    """Check a plan against every rule of the scenario, independently of the solver."""
    tx = _texts(lang)
    sc, network, plan = _scenario_network_plan(scenario, plan_file, cache, tx)
    _read_notices(sc, tx)
    _report(validate(sc, plan, network.matrix), tx)


@app.command("simulate")
@_handled
def simulate_cmd(
    spec_file: Annotated[
        Path, typer.Argument(help="Simulation spec (see docs/simulate.md).", show_default=False)
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for kpis.csv and report.html.")] = Path(
        "out-simulation"
    ),
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler, e.g. tcp://HOST:PORT (default: local).")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Local worker processes; 0 = run in this process.", min=0)
    ] = 2,
) -> None:
    """Simulate weeks of a district for each fleet variant; write kpis.csv and report.html."""
    from maps.coverage import coverage_map
    from planner.simulate.main import load_spec, run_spec, total_weeks

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    spec = load_spec(spec_file)
    with Progress(*columns, TimeElapsedColumn(), console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task("Wochen simuliert", total=total_weeks(spec))
        results, written = run_spec(
            spec,
            out_dir,
            coverage_map,
            workers=workers,
            scheduler=scheduler,
            on_week=lambda _row: bar.advance(task),
        )
    table = Table("Variante", "Termine/Woche", "eingeplant", "Tage Median", "Tage p90", "km/Woche", "≤15 min")
    for s in results.summaries:
        table.add_row(
            s.variant, f"{s.placed_per_week:g}".replace(".", ","), f"{100 * s.share_placed:.0f} %",
            f"{s.wait_median_days}".replace(".", ","), f"{s.wait_p90_days}".replace(".", ","),
            f"{s.km_per_week:g}".replace(".", ","), f"{100 * s.within_15_min:.0f} %",
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(results.rows)} Wochen in {results.elapsed_s:.0f} s; " + _listing(written, out_dir))


@app.command("generate")
@_handled
def generate_cmd(
    osm: Annotated[
        Path, typer.Option("--osm", help=".osm, .osm.gz or .osm.pbf extract.", show_default=False)
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Scenario folder to write.", show_default=False)],
    week: Annotated[str, typer.Option("--week", help="ISO week to plan, e.g. 2026-W49.")] = "2026-W49",
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same options give the same files.")
    ] = 7,
    requests: Annotated[int, typer.Option("--requests", help="Requests to draw.")] = 150,
    vans: Annotated[int, typer.Option("--vans", help="Vans.")] = 2,
    coaches: Annotated[int, typer.Option("--coaches", help="Coaches.")] = 5,
    depot_name: Annotated[
        str,
        typer.Option(
            "--depot-name",
            help="Without coordinates: the town hall or office whose name contains this, nearest the "
            "centre of the addresses; with coordinates: the depot's name.",
        ),
    ] = "Rathaus",
    depot_lat: Annotated[float | None, typer.Option("--depot-lat", help="Depot latitude.")] = None,
    depot_lon: Annotated[float | None, typer.Option("--depot-lon", help="Depot longitude.")] = None,
    planning_date: Annotated[
        str | None, typer.Option("--planning-date", help="YYYY-MM-DD (default: 18 days before the week).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Scenario name (default: from the folder name).")] = "",
    mix: Annotated[
        str, typer.Option("--mix", help="Shares of walk_and_talk, home_visit, accompany, van_stop.")
    ] = "42,32,20,6",
    lang: LangOpt = "de",
) -> None:
    """Generate a seeded demo scenario folder from an OSM extract (see docs/input.md).

    Every location is a real feature of the extract; clients are pseudonymous. The same options give
    the same files, byte for byte.
    """
    from planner.generate.config import config_of_options
    from planner.generate.folder import write_folder

    tx = _texts(lang)
    cfg = config_of_options(
        osm, out_dir, week=week, seed=seed, sizes=(requests, vans, coaches), depot_name=depot_name,
        depot_lat=depot_lat, depot_lon=depot_lon, planning_date=planning_date, name=name, mix=mix,
    )  # fmt: skip
    written = write_folder(cfg)
    out.print(f"{len(written)} {tx.files_in} {out_dir}/ {_listing(written, out_dir)}")


# --- vanplan replan (planner.replan) ---


@app.command("replan")
@_handled
def replan_cmd(
    scenario: ScenarioArg,
    plan_file: Annotated[
        Path, typer.Argument(help="plan.json of the version to start from.", show_default=False)
    ],
    changes: Annotated[
        Path, typer.Option("--changes", help="What happened since (see docs/input.md).", show_default=False)
    ],
    now: Annotated[
        str | None,
        typer.Option(
            "--now", help='Everything before it is history, e.g. "2026-12-02 10:00" (default: now).'
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder of the new version (default: beside the old, -v2).")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the replan (default: scenario).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, max=2**31 - 1, help="Random seed (default: scenario).")
    ] = None,
    lang: LangOpt = "de",
    cache: CacheOpt = None,
    no_maps: Annotated[bool, typer.Option("--no-maps", help="Skip maps, day sheets and calendars.")] = False,
) -> None:
    """Replan a week under way after cancellations, absences and urgent cases, with the fewest changes.

    Keeps everything before --now and every appointment the clients were told of unless a change
    makes it impossible. Writes the new version (plan.json with its version number, tables, maps,
    calendars) and changes.csv: each appointment moved, cancelled or added, and whom to tell.
    """
    from planner.input.load import parse_datetime
    from planner.replan.run import replan_folder, version_folder, write_version

    tx = _texts(lang)
    try:
        when = parse_datetime(now) if now else None
    except ValueError:
        raise UsageError(tx.bad_now.format(value=repr(now))) from None
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
        run = replan_folder(
            scenario, plan_file, changes, when, time_limit_s=time_limit, seed=seed, cache_dir=cache,
            progress=_RichProgress(bar, lang),
        )  # fmt: skip
    result = run.result
    target = out_dir or version_folder(plan_file, result.plan.version)
    if target.resolve() == plan_file.resolve().parent:
        raise UsageError(tx.out_holds_old.format(folder=target, version=run.old.version))
    _check_out(target, scenario, tx)
    _read_notices(result.week, tx)
    with _replacing(target) as folder:
        written = write_version(run, folder, lang)
        if result.violations:  # never hand out maps, sheets or calendars of a plan that breaks a rule
            report = folder / "violations.txt"
            lines = [violation_text(v, lang) for v in result.violations]
            report.write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(report)
        elif not no_maps:
            written += render_all(
                result.plan, result.outputs, run.network, folder, lang=lang, previous=run.old
            )
        listing = _listing(written, folder)
    _replan_table(result.changes, result.plan, tx)
    for rid, detail in result.refused:
        out.print(f"{tx.move_refused.format(request=rid)}: {sentence('pin_invalid', detail, tx.lang)}")
    _summary(result.plan, tx)
    version = tx.version_line.format(version=result.plan.version, previous=result.plan.previous_version)
    out.print(f"{version}: {len(written)} {tx.files_in} {target}/ {listing}")
    _report(list(result.violations), tx)


# --- the web app (package web) ---

DataOpt = Annotated[Path, typer.Option("--data", help="Folder of the app's database, tables and plans.")]


@app.command("serve")
@_handled
def serve_cmd(
    data: DataOpt = Path("vanplan-data"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    osm_dir: Annotated[
        Path | None,
        typer.Option("--osm-dir", help="Folder of OSM extracts that uploaded scenario.toml files name."),
    ] = None,
) -> None:
    """Start the web app for coordinators, coaches and management, with its planning worker."""
    from web.serve import serve

    out.print(f"vanplan: http://{host}:{port}/  ({data}/)")
    serve(data, host, port, osm_dir)


@app.command("createuser")
@_handled
def createuser_cmd(
    username: Annotated[str, typer.Argument(help="Login name.", show_default=False)],
    role: Annotated[
        str, typer.Option("--role", help="coordinator, coach, management or admin.")
    ] = "coordinator",
    coach: Annotated[str, typer.Option("--coach", help="For a coach: the id in coaches.csv.")] = "",
    data: DataOpt = Path("vanplan-data"),
) -> None:
    """Create a user of the web app (the first coordinator, a coach, ...); asks for the password
    (or reads VANPLAN_PASSWORD)."""
    from web.serve import create_user

    password = os.environ.get("VANPLAN_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    problem = create_user(data, username, role, password, coach)
    if problem:
        raise UsageError(problem)
    out.print(f"{username}: {role}")


def _replan_table(rows: Sequence[PlanChange], plan: Plan, tx: Texts) -> None:
    """One line per appointment moved, cancelled, dropped or added: old and new slot, whom to tell."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(plan.timezone)
    if not rows:
        out.print(tx.no_changes)
        return
    table = Table(title=tx.changes_title)
    for column in tx.changes_columns:
        table.add_column(column)

    def slot(s: Slot | None) -> str:
        if s is None:
            return "–"
        day = s.day.strftime("%d.%m." if tx.lang == "de" else "%Y-%m-%d")
        return f"{s.van} {day} {s.start.astimezone(tz):%H:%M}"

    for r in rows:
        table.add_row(
            r.message(tx.lang, reason=False), r.request_id, slot(r.old), slot(r.new),
            tx.tell_client[r.tell_client], ", ".join(r.tell_coaches),
        )  # fmt: skip
    out.print(table)


# --- end of vanplan replan ---


def _scenario_network_plan(
    folder: Path, plan_file: Path, cache: Path | None, tx: Texts
) -> tuple[Scenario, Network, Plan]:
    """Load what `validate` and `map` need; an unreadable plan file is an input error."""
    sc = load_scenario(folder)
    network = network_of(sc, cache or default_cache_dir())
    try:
        plan = Plan.read(plan_file)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        detail = message(str(exc), tx.lang)
        raise UsageError(tx.unreadable_plan.format(file=plan_file, error=detail)) from None
    from planner.replan.engine import amend  # a replanned version: the week as its replans left it

    return amend(sc, plan)[0], network, plan


def _date_option(day: str | None, tx: Texts) -> date | None:
    """The --date option as a date."""
    try:
        return date.fromisoformat(day) if day else None
    except ValueError:
        raise UsageError(tx.bad_date.format(value=repr(day))) from None


def _restrict(plan: Plan, coach: str | None, when: date | None, tx: Texts) -> Plan:
    """The plan cut down to one coach's tours and/or one date."""
    tours = tuple(
        t for t in plan.tours if (coach is None or coach in t.crew) and (when is None or t.day == when)
    )
    if not tours:
        raise UsageError(tx.no_tour_matches)
    unscheduled = plan.unscheduled if coach is None and when is None else ()
    return replace(plan, tours=tours, unscheduled=unscheduled)


def _wanted(rel: Path, coach_name: str | None, when: date | None) -> bool:
    """Whether a rendered file belongs to the selection; week files and calendars only when whole.

    A week page or calendar made from a cut-down plan would overwrite the full one with less, so
    with --date only that day's pages are kept, and with --coach only that coach's pages
    (`coach_name` is the coach's file name).
    """
    mine = ("coaches", coach_name)
    if coach_name is not None and rel.parts[:2] != mine and rel.parts != ("calendars", f"{coach_name}.ics"):
        return False
    return when is None or (rel.parts[0] != "calendars" and when.isoformat() in rel.name)


def _check_out(out_dir: Path, scenario: Path, tx: Texts) -> None:
    """Refuse an --out folder that `plan` must not replace: one that is not a vanplan output folder
    (not empty, no plan.json), or one that holds the current folder or the scenario."""
    target = out_dir.resolve()
    holds = any(p == target or target in p.parents for p in (Path.cwd().resolve(), scenario.resolve()))
    if target.is_dir():
        foreign = any(target.iterdir()) and not (target / "plan.json").is_file()
    else:
        foreign = target.exists()
    if holds or foreign:
        raise UsageError(tx.out_not_ours.format(folder=out_dir))


@contextmanager
def _replacing(out_dir: Path) -> Iterator[Path]:
    """A fresh folder beside `out_dir` to write into; it replaces `out_dir` once the block completes.

    If the block fails, the fresh folder is removed and `out_dir` is left as it was, so a run never
    leaves a half-written output folder.
    """
    target = out_dir.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(3)}.tmp"
    fresh.mkdir()
    try:
        yield fresh
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = fresh.with_suffix(".old")
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _listing(paths: list[Path], root: Path) -> str:
    """A short account of what was written, by folder."""
    folders: dict[str, int] = {}
    for p in paths:
        rel = p.relative_to(root)
        key = rel.parts[0] if len(rel.parts) > 1 else rel.name
        folders[key] = folders.get(key, 0) + 1
    return "(" + ", ".join(f"{k}: {n}" if n > 1 else k for k, n in folders.items()) + ")"


def _texts(lang: str) -> Texts:
    """The catalogue for the --lang option."""
    if lang not in ("de", "en"):
        raise UsageError(texts("de").bad_lang.format(value=repr(lang)))
    return texts(lang)


def _read_notices(scenario: Scenario, tx: Texts) -> None:
    """Which encoding was assumed for each input file not saved as UTF-8."""
    for notice in scenario.notices:
        out.print(f"{tx.hint}: {notice.sentence(tx.lang)}", markup=False)


def _notices(plan: Plan, tx: Texts) -> None:
    """Requests that could not be planned for a reason in their own row, located like input errors."""
    located = sorted((u for u in plan.unscheduled if u.reason in REASON_COLUMN), key=lambda u: u.row or 0)
    if not located:
        return
    out.print(tx.cannot_plan)
    for u in located:
        where = InputProblem("requests.csv", u.row, REASON_COLUMN[u.reason], "").located(tx.location_words)
        out.print(f"  {where} ({u.request_id}): {sentence(u.reason, u.detail, tx.lang)}",
                  soft_wrap=True, markup=False)  # fmt: skip


def _summary(plan: Plan, tx: Texts) -> None:
    """A line per van-day: stops, hours, km; then placed and unscheduled counts."""
    table = Table(title=f"{plan.scenario} {plan.week}")
    for column in tx.summary_columns:
        table.add_column(column)
    day_format = "%d.%m." if tx.lang == "de" else "%Y-%m-%d"
    for t in plan.tours:
        table.add_row(
            t.van, f"{tx.weekdays[t.day.weekday()]} {t.day.strftime(day_format)}",
            ", ".join(t.crew), str(len(t.stops)), number(t.work_min / 60, 1, tx.lang),
            number(t.drive_min, 0, tx.lang), number(t.km, 1, tx.lang),
        )  # fmt: skip
    out.print(table)
    placed = sum(len(t.stops) for t in plan.tours)
    counts = tx.summary_counts.format(
        placed=placed,
        total=placed + len(plan.unscheduled),
        unscheduled=len(plan.unscheduled),
        seconds=number(plan.search_s, 1, tx.lang),
        stop=tx.stop_reasons.get(plan.stop_reason, plan.stop_reason),
    )
    out.print(counts)


def _report(violations: list[Violation], tx: Texts) -> None:
    """Say that the plan keeps every rule, or raise the rules it breaks (exit code 3)."""
    if violations:
        raise RulesBroken([violation_text(v, tx.lang) for v in violations])
    out.print(tx.plan_ok)


def main() -> None:
    """Console entry point."""
    app(prog_name="vanplan")


if __name__ == "__main__":
    main()
