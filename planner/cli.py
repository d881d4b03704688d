"""The `vanplan` command: plan a week, check a plan, render maps.

Exit codes: 0 success, 2 input error (file, row and column named), 3 the plan breaks a rule,
1 an unexpected internal error.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from maps import render_all
from maps.render import slug
from planner.errors import VanplanError
from planner.load import load_scenario
from planner.network import Network, NetworkError, load_network
from planner.outputs import write_tables
from planner.pipeline import Progress as StageProgress
from planner.pipeline import default_cache_dir, plan_scenario
from planner.plan import Plan
from planner.reasons import REASON_COLUMN, sentence
from planner.replan.diff import PlanChange, Slot
from planner.scenario import WEEKDAYS_DE, WEEKDAYS_EN, Scenario
from planner.validate import Violation, validate

EXIT_INPUT, EXIT_INVALID = 2, 3
app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Route and schedule planner for advisory vans."
)
err = Console(stderr=True, soft_wrap=True)
out = Console()

STAGE_LABEL = {
    "de": {
        "load": "Eingaben lesen",
        "geocode": "Adressen verorten",
        "network": "Straßennetz laden",
        "matrix": "Fahrzeiten berechnen",
        "search": "Touren optimieren",
        "validate": "Plan prüfen",
        "compile": "Suche wird übersetzt (nur beim ersten Lauf, bis zu einer Minute)",
    },
    "en": {
        "load": "Reading input",
        "geocode": "Geocoding addresses",
        "network": "Loading road network",
        "matrix": "Computing travel times",
        "search": "Optimising tours",
        "validate": "Checking the plan",
        "compile": "Compiling the search (first run only, up to a minute)",
    },
}

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario folder (see docs/input.md).", show_default=False)]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of user-facing output: de or en.")]
CacheOpt = Annotated[Path | None, typer.Option("--cache", help="Cache for road graphs and travel times.")]


class _RichProgress(StageProgress):
    """Shows the stages as a spinner and the search as a bar over its time limit."""

    def __init__(self, progress: Progress, lang: str) -> None:
        self.progress = progress
        self.labels = STAGE_LABEL[lang]
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


def _fail(message: str, code: int) -> typer.Exit:
    err.print(message, markup=False)
    return typer.Exit(code)


@app.command("plan")
def plan_cmd(
    scenario: ScenarioArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for plan.json, tables and maps.")] = Path(
        "out"
    ),
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Search seconds (default: scenario).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: scenario).")] = None,
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
    lang = _lang(lang)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
            run = plan_scenario(
                scenario,
                time_limit_s=time_limit,
                seed=seed,
                until_limit=until_limit,
                cache_dir=cache,
                progress=_RichProgress(bar, lang),
            )
    except (VanplanError, NetworkError) as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    _read_notices(run.scenario, lang)
    written = write_tables(run.plan, run.scenario, out_dir, lang)
    if run.violations:
        # never hand out maps, sheets or calendars of a plan that breaks a rule
        report = out_dir / "violations.txt"
        report.write_text("\n".join(map(str, run.violations)) + "\n", encoding="utf-8")
        written.append(report)
    elif not no_maps:
        written += render_all(run.plan, run.scenario, run.network, out_dir, lang=lang, pdf=pdf)
    _notices(run.plan, lang)
    _summary(run.plan, lang)
    out.print(f"{'Fahrzeiten' if lang == 'de' else 'Travel times'}: {run.plan.travel_source}")
    if run.plan.stop_reason == "time_limit":
        out.print(
            "Hinweis: Die Suche endete am Zeitlimit; "
            "mit gleichem Seed kann ein erneuter Lauf leicht abweichen."
            if lang == "de"
            else "Note: the search stopped at the time limit; a rerun with the same seed may differ slightly."
        )
    if run.plan.slowed:
        share = f"{round(100 * run.plan.cpu_share)} %" if lang == "de" else f"{run.plan.cpu_share:.0%}"
        out.print(
            f"Hinweis: Der Rechner war ausgelastet (die Suche bekam zeitweise nur {share} eines Kerns, "
            f"{run.plan.unfinished_workers} Suchprozess(e) nicht fertig); "
            "der Plan kann schlechter sein als sonst."
            if lang == "de"
            else f"Note: the machine was busy (the search got as little as {share} of a core, "
            f"{run.plan.unfinished_workers} search worker(s) unfinished); the plan may be worse than usual."
        )
    out.print(
        f"{len(written)} {'Dateien in' if lang == 'de' else 'files in'} {out_dir}/ "
        + _listing(written, out_dir)
    )
    _report(run.violations, lang)


@app.command("map")
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
    lang = _lang(lang)
    sc, network, plan = _scenario_network_plan(scenario, plan_file, cache)
    _read_notices(sc, lang)
    if coach is not None and coach not in {c.id for c in sc.coaches}:
        raise _fail(f"--coach {coach!r} is not a coach of the scenario", EXIT_INPUT)
    when = _date_option(day)
    with tempfile.TemporaryDirectory() as tmp:
        rendered = render_all(_restrict(plan, coach, when), sc, network, Path(tmp), lang=lang, pdf=pdf)
        written = []
        for path in rendered:
            rel = path.relative_to(tmp)
            if _wanted(rel, coach, when):
                target = out_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                written.append(target)
    out.print(
        f"{len(written)} {'Dateien in' if lang == 'de' else 'files in'} {out_dir}/ "
        + _listing(written, out_dir)
    )


@app.command("validate")
def validate_cmd(
    scenario: ScenarioArg,
    plan_file: Annotated[
        Path, typer.Argument(help="plan.json written by `vanplan plan`.", show_default=False)
    ],
    lang: LangOpt = "de",
    cache: CacheOpt = None,
) -> None:
    """Check a plan against every rule of the scenario, independently of the solver."""
    lang = _lang(lang)
    sc, network, plan = _scenario_network_plan(scenario, plan_file, cache)
    _read_notices(sc, lang)
    _report(validate(sc, plan, network.matrix), lang)


@app.command("simulate")
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
    from planner.simulate.main import load_spec, run_spec, total_weeks

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    try:
        spec = load_spec(spec_file)
        with Progress(*columns, TimeElapsedColumn(), console=err, disable=not err.is_terminal) as bar:
            task = bar.add_task("Wochen simuliert", total=total_weeks(spec))
            results, written = run_spec(
                spec, out_dir, workers=workers, scheduler=scheduler, on_week=lambda _row: bar.advance(task)
            )
    except (VanplanError, NetworkError) as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    table = Table("Variante", "Termine/Woche", "eingeplant", "Tage Median", "Tage p90", "km/Woche", "≤15 min")
    for s in results.summaries:
        table.add_row(
            s.variant, f"{s.placed_per_week:g}", f"{100 * s.share_placed:.0f} %", f"{s.wait_median_days}",
            f"{s.wait_p90_days}", f"{s.km_per_week:g}", f"{100 * s.within_15_min:.0f} %",
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(results.rows)} Wochen in {results.elapsed_s:.0f} s; " + _listing(written, out_dir))


# --- vanplan replan (planner.replan) ---


@app.command("replan")
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
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: scenario).")] = None,
    lang: LangOpt = "de",
    cache: CacheOpt = None,
    no_maps: Annotated[bool, typer.Option("--no-maps", help="Skip maps, day sheets and calendars.")] = False,
) -> None:
    """Replan a week under way after cancellations, absences and urgent cases, with the fewest changes.

    Keeps everything before --now and every appointment the clients were told of unless a change
    makes it impossible. Writes the new version (plan.json with its version number, tables, maps,
    calendars) and changes.csv: each appointment moved, cancelled or added, and whom to tell.
    """
    from planner.load import parse_datetime
    from planner.replan.run import replan_folder, version_folder, write_version

    lang = _lang(lang)
    try:
        when = parse_datetime(now) if now else None
    except ValueError as exc:
        raise _fail(f"--now: {exc}", EXIT_INPUT) from None
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
            run = replan_folder(
                scenario, plan_file, changes, when, time_limit_s=time_limit, seed=seed, cache_dir=cache,
                progress=_RichProgress(bar, lang),
            )  # fmt: skip
    except (VanplanError, NetworkError) as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    result = run.result
    target = out_dir or version_folder(plan_file, result.plan.version)
    if target.resolve() == plan_file.resolve().parent:
        raise _fail(f"--out {target} holds version {run.old.version}; choose another folder", EXIT_INPUT)
    _read_notices(result.week, lang)
    written = write_version(run, target, lang)
    if result.violations:
        report = target / "violations.txt"
        report.write_text("\n".join(map(str, result.violations)) + "\n", encoding="utf-8")
        written.append(report)
    elif not no_maps:
        written += render_all(result.plan, result.outputs, run.network, target, lang=lang, previous=run.old)
    _replan_table(result.changes, result.plan, lang)
    _summary(result.plan, lang)
    out.print(
        f"Version {result.plan.version} "
        f"({'aus Version' if lang == 'de' else 'from version'} {result.plan.previous_version}): "
        f"{len(written)} {'Dateien in' if lang == 'de' else 'files in'} {target}/ "
        + _listing(written, target)
    )
    _report(list(result.violations), lang)


def _replan_table(rows: Sequence[PlanChange], plan: Plan, lang: str) -> None:
    """One line per appointment moved, cancelled, dropped or added: old and new slot, whom to tell."""
    from zoneinfo import ZoneInfo

    from planner.replan.diff import TELL_TEXT

    de = lang == "de"
    tz = ZoneInfo(plan.timezone)
    if not rows:
        out.print("Keine Termine geändert." if de else "No appointment changed.")
        return
    table = Table(title="Änderungen" if de else "Changes")
    for col in (("Änderung", "Change"), ("Termin", "Request"), ("bisher", "was"), ("neu", "now"),
                ("Person informieren", "Tell the client"), ("Coaches", "Coaches")):  # fmt: skip
        table.add_column(col[0] if de else col[1])

    def slot(s: Slot | None) -> str:
        if s is None:
            return "–"
        return f"{s.van} {s.day.strftime('%d.%m.' if de else '%Y-%m-%d')} {s.start.astimezone(tz):%H:%M}"

    for r in rows:
        table.add_row(
            r.message(lang, reason=False), r.request_id, slot(r.old), slot(r.new),
            TELL_TEXT[r.tell_client][0 if de else 1],
            ", ".join(r.tell_coaches),
        )  # fmt: skip
    out.print(table)


# --- end of vanplan replan ---


def _scenario_network_plan(
    folder: Path, plan_file: Path, cache: Path | None
) -> tuple[Scenario, Network, Plan]:
    """Load what `validate` and `map` need, turning user errors into exit code 2."""
    try:
        sc = load_scenario(folder)
        network = load_network(sc.settings.network, folder, cache or default_cache_dir())
    except (VanplanError, NetworkError) as exc:
        raise _fail(str(exc), EXIT_INPUT) from None
    try:
        plan = Plan.read(plan_file)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _fail(f"{plan_file}: not a readable plan ({exc})", EXIT_INPUT) from None
    from planner.replan.engine import amend  # a replanned version: the week as its replans left it

    return amend(sc, plan)[0], network, plan


def _date_option(day: str | None) -> date | None:
    """The --date option as a date."""
    try:
        return date.fromisoformat(day) if day else None
    except ValueError:
        raise _fail(f"--date must be YYYY-MM-DD, not {day!r}", EXIT_INPUT) from None


def _restrict(plan: Plan, coach: str | None, when: date | None) -> Plan:
    """The plan cut down to one coach's tours and/or one date."""
    tours = tuple(
        t for t in plan.tours if (coach is None or coach in t.crew) and (when is None or t.day == when)
    )
    if not tours:
        raise _fail("no tour matches --coach/--date in this plan", EXIT_INPUT)
    unscheduled = plan.unscheduled if coach is None and when is None else ()
    return replace(plan, tours=tours, unscheduled=unscheduled)


def _wanted(rel: Path, coach: str | None, when: date | None) -> bool:
    """Whether a rendered file belongs to the selection; week files and calendars only when whole.

    A week page or calendar made from a cut-down plan would overwrite the full one with less, so
    with --date only that day's pages are kept, and with --coach only that coach's pages.
    """
    mine = ("coaches", slug(coach or ""))
    if coach is not None and rel.parts[:2] != mine and rel.parts != ("calendars", f"{slug(coach)}.ics"):
        return False
    return when is None or (rel.parts[0] != "calendars" and when.isoformat() in rel.name)


def _listing(paths: list[Path], root: Path) -> str:
    """A short account of what was written, by folder."""
    folders: dict[str, int] = {}
    for p in paths:
        rel = p.relative_to(root)
        key = rel.parts[0] if len(rel.parts) > 1 else rel.name
        folders[key] = folders.get(key, 0) + 1
    return "(" + ", ".join(f"{k}: {n}" if n > 1 else k for k, n in folders.items()) + ")"


def _lang(lang: str) -> str:
    if lang not in STAGE_LABEL:
        raise _fail(f"--lang must be de or en, not {lang!r}", EXIT_INPUT)
    return lang


def _read_notices(scenario: Scenario, lang: str) -> None:
    """Which encoding was assumed for each input file not saved as UTF-8."""
    for notice in scenario.notices:
        out.print(f"{'Hinweis' if lang == 'de' else 'Note'}: {notice.sentence(lang)}", markup=False)


def _notices(plan: Plan, lang: str) -> None:
    """Requests that could not be planned for a reason in their own row, located like input errors."""
    located = sorted((u for u in plan.unscheduled if u.reason in REASON_COLUMN), key=lambda u: u.row or 0)
    if not located:
        return
    title = "Nicht planbar (Eingaben prüfen):" if lang == "de" else "Cannot be planned (check the input):"
    out.print(title)
    for u in located:
        out.print(f"  requests.csv row {u.row}, column {REASON_COLUMN[u.reason]} ({u.request_id}): "
                  f"{sentence(u.reason, u.detail, lang)}", soft_wrap=True, markup=False)  # fmt: skip


def _summary(plan: Plan, lang: str) -> None:
    """A line per van-day: stops, hours, km; then placed and unscheduled counts."""
    de = lang == "de"
    table = Table(title=f"{plan.scenario} {plan.week}")
    for col in (("Van", "Van"), ("Datum", "Date"), ("Besatzung", "Crew"), ("Stopps", "Stops"),
                ("Stunden", "Hours"), ("Fahrt min", "Drive min"), ("km", "km")):  # fmt: skip
        table.add_column(col[0] if de else col[1])
    for t in plan.tours:
        table.add_row(
            t.van, f"{(WEEKDAYS_DE if de else WEEKDAYS_EN)[t.day.weekday()]} "
            + t.day.strftime("%d.%m." if de else "%Y-%m-%d"), ", ".join(t.crew), str(len(t.stops)),
            f"{t.work_min / 60:.1f}", f"{t.drive_min:.0f}", f"{t.km:.1f}",
        )  # fmt: skip
    out.print(table)
    placed = sum(len(t.stops) for t in plan.tours)
    total = placed + len(plan.unscheduled)
    out.print(
        f"{'Eingeplant' if de else 'Placed'}: {placed}/{total}, "
        f"{'nicht eingeplant' if de else 'unscheduled'}: {len(plan.unscheduled)} "
        f"({'Suche' if de else 'search'} {plan.search_s:.1f} s, {plan.stop_reason})"
    )


def _report(violations: list[Violation], lang: str) -> None:
    if not violations:
        out.print("Plan hält alle Regeln ein." if lang == "de" else "The plan keeps every rule.")
        return
    for v in violations:
        err.print(str(v), markup=False)
    raise typer.Exit(EXIT_INVALID)


def main() -> None:
    """Console entry point."""
    app(prog_name="vanplan")


if __name__ == "__main__":
    main()
