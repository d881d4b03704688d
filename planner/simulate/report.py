"""The simulation's outputs: kpis.csv (every KPI per variant and week) and a self-contained report.html.

Charts are drawn with matplotlib and inlined as SVG; the coverage map is a self-contained page drawn by
the renderer the caller passes in (the command line: maps.coverage, Leaflet inlined, roads drawn from
the extract, no tiles) and embedded with `srcdoc`, so the report loads nothing from anywhere.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import astuple, fields
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from planner.colours import PALETTE
from planner.outputs.spreadsheet import plain_text
from planner.simulate.coverage import nearest_minutes
from planner.simulate.district import District
from planner.simulate.kpi import Summary, WeekKpi
from planner.simulate.mapview import CoverageLayer, CoverageMap, CoverageView, Mark
from planner.simulate.run import Results

BANDS = ((15.0, "#1f8f3a", "≤ 15 min"), (30.0, "#e07000", "≤ 30 min"), (float("inf"), "#d1344b", "> 30 min"))
plt.rcParams.update({"svg.hashsalt": "vanplan", "font.size": 9, "svg.fonttype": "path"})


def write_csv(rows: Sequence[WeekKpi], path: Path) -> None:
    """kpis.csv: one row per variant, replication and week; empty cells where a KPI has no value, and
    no variant name that a spreadsheet would run as a formula."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(WeekKpi.columns())
        writer.writerows(["" if v is None else plain_text(v) for v in astuple(r)] for r in rows)


def svg(fig: Figure) -> str:
    """A figure as inline SVG, without metadata, so the same results give the same bytes."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _by_week(rows: Sequence[WeekKpi], variant: str, value: Callable[[WeekKpi], float | None]) -> list[float]:
    """A KPI per week of a variant, averaged over replications."""
    weeks = sorted({r.week for r in rows})
    out = []
    for w in weeks:
        vals = [value(r) for r in rows if r.variant == variant and r.week == w]
        nums = [v for v in vals if v is not None]
        out.append(sum(nums) / len(nums) if nums else float("nan"))
    return out


def weekly_chart(results: Results) -> str:
    """Share placed, median wait, km and coach hours per visit, week by week, one line per variant."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
    panels: list[tuple[str, Callable[[WeekKpi], float | None]]] = [
        ("Anteil eingeplant (%)", lambda r: 100 * r.share_placed),
        ("Tage bis zum Termin (Median)", lambda r: r.wait_median_days),
        ("Kilometer je Woche", lambda r: r.km),
        ("Coach-Stunden je Termin", lambda r: r.coach_h_per_visit),
    ]
    weeks = sorted({r.week for r in results.rows})
    for ax, (title, value) in zip(axes.flat, panels, strict=True):
        for i, v in enumerate(results.spec.variants):
            ax.plot(
                weeks,
                _by_week(results.rows, v.name, value),
                marker="o",
                color=PALETTE[i % len(PALETTE)],
                label=v.name,
            )
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes[1]:
        ax.set_xlabel("Woche")
    axes[0][0].legend(fontsize=8)
    return svg(fig)


def summary_chart(summaries: Sequence[Summary]) -> str:
    """Bars per variant: requests placed a week, share within 15 and 30 minutes of a stop or depot."""
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    names = [s.variant for s in summaries]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    bars = (
        ("Termine je Woche", [s.placed_per_week for s in summaries]),
        ("Wartezeit p90 (Tage)", [s.wait_p90_days or 0 for s in summaries]),
        ("Klienten ≤ 15 / 30 min (%)", None),
    )
    for ax, (title, values) in zip(axes, bars, strict=True):
        if values is None:
            x = range(len(names))
            ax.bar([i - 0.2 for i in x], [100 * s.within_15_min for s in summaries], 0.4, color=colours)
            ax.bar(
                [i + 0.2 for i in x],
                [100 * s.within_30_min for s in summaries],
                0.4,
                color=colours,
                alpha=0.5,
            )
            ax.set_ylim(0, 100)
        else:
            ax.bar(range(len(names)), values, color=colours)
        ax.set_xticks(range(len(names)), [str(i + 1) for i in range(len(names))])
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
    return svg(fig)


def curve_chart(results: Results) -> str:
    """Share of clients within reach of a stop or depot for k = 0..K optimal van stop sites."""
    curve = results.site_plan.curve
    fig, ax = plt.subplots(figsize=(5, 3))
    ks = list(range(len(curve.covered)))
    ax.plot(ks, [100 * curve.share(k) for k in ks], marker="o", color=PALETTE[0])
    ax.set_xlabel("Anzahl Haltestellen k")
    ax.set_ylabel(f"Klienten ≤ {results.site_plan.minutes:g} min (%)")
    ax.set_xticks(ks)
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    return svg(fig)


def coverage_view(results: Results, d: District) -> CoverageView:
    """Per variant its clients coloured by drive time to the nearest stop or depot, its sites and depots."""
    homes = [c.home for c in d.clients]
    box = (
        min(p.lat for p in homes),
        min(p.lon for p in homes),
        max(p.lat for p in homes),
        max(p.lon for p in homes),
    )
    layers = []
    for i, v in enumerate(results.spec.variants):
        sites = [s for s in (d.site(ref) for ref in results.sites[v.name]) if s is not None]
        depots = list(d.depots) if not v.depots else [x for x in d.depots if x.id in v.depots]
        minutes = nearest_minutes(d, [x.point for x in depots] + [s.point for s in sites])
        layers.append(
            CoverageLayer(
                name=v.name,
                colour=PALETTE[i % len(PALETTE)],
                clients=tuple(
                    (c.home, next(colour for limit, colour, _ in BANDS if mins <= limit))
                    for c, mins in zip(d.clients, minutes.tolist(), strict=True)
                ),
                sites=tuple(Mark(s.point, f"{s.name or s.kind} ({s.ref})") for s in sites),
                depots=tuple(Mark(x.point, x.name) for x in depots),
            )
        )
    return CoverageView(f"{results.spec.name}: Erreichbarkeit", box, d.network, tuple(layers))


def _table(summaries: Sequence[Summary]) -> str:
    """The summary per variant as an HTML table."""
    head = "".join(f"<th>{escape(f.name)}</th>" for f in fields(Summary))
    body = "".join(
        "<tr>" + "".join(f"<td>{'–' if v is None else escape(str(v))}</td>" for v in astuple(s)) + "</tr>"
        for s in summaries
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _curve_table(results: Results) -> str:
    """Sites chosen for each k."""
    sp = results.site_plan
    rows = "".join(
        f"<tr><td>{k}</td><td>{100 * sp.curve.share(k):.1f} %</td><td>"
        + escape(", ".join(f"{s.name or s.kind} ({s.ref})" for s in sp.sites[k]))
        + "</td></tr>"
        for k in range(len(sp.sites))
    )
    return f"<table><tr><th>k</th><th>≤ {sp.minutes:g} min</th><th>Standorte</th></tr>{rows}</table>"


STYLE = """<style>
body { font: 14px/1.45 Arial, sans-serif; color: #222; max-width: 1100px; margin: 0 auto; padding: 12px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; display: block; overflow-x: auto; }
td, th { border: 1px solid #ddd; padding: 3px 6px; text-align: right; }
th { background: #f3f3f0; }
td:first-child, th:first-child { text-align: left; }
svg { max-width: 100%; height: auto; }
iframe { width: 100%; height: 560px; border: 1px solid #ccc; }
.muted { color: #666; font-size: 12px; }
</style>"""


def report_html(results: Results, d: District, draw: CoverageMap) -> str:
    """The whole report page, its coverage map drawn by `draw`."""
    spec = results.spec
    legend = " · ".join(f'<span style="color:{c}">●</span> {escape(t)}' for _, c, t in BANDS)
    variants = "".join(f"<li>{i}. {escape(v.name)}</li>" for i, v in enumerate(spec.variants, start=1))
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>{escape(spec.name)}: Simulation</title>{STYLE}</head>
<body>
<h1>{escape(spec.name)}: Simulation der aufsuchenden Beratung</h1>
<p>{spec.weeks} Wochen ab {escape(spec.start_week)}, {spec.replications} Wiederholung(en), Seed {spec.seed},
{len(d.clients)} Klienten, im Mittel {spec.requests.per_week:g} neue Anfragen je Woche,
Suche {spec.time_limit_s:g} s je Woche. Rechenzeit {results.elapsed_s:.0f} s.</p>
<ul style="list-style: none; padding: 0">{variants}</ul>
<h2>Varianten im Vergleich</h2>
{_table(results.summaries)}
{summary_chart(results.summaries)}
<h2>Woche für Woche</h2>
{weekly_chart(results)}
<h2>Haltestellen: Abdeckungskurve</h2>
<p>Optimale Standorte (maximale Abdeckung, CP-SAT) unter {results.site_plan.candidates} Kandidaten
(Parkplätze, Plätze, Rathäuser); Klienten nahe einem Depot zählen als abgedeckt.</p>
{curve_chart(results)}
{_curve_table(results)}
<h2>Karte: Fahrzeit zur nächsten Haltestelle oder zum Depot</h2>
<p>{legend}. Eine Ebene je Variante (oben rechts umschalten).</p>
<iframe title="Karte" srcdoc="{escape(draw(coverage_view(results, d)))}"></iframe>
<p class="muted">Kartendaten © OpenStreetMap contributors (ODbL).
Die Klienten sind simuliert, keine echten Personen.</p>
</body></html>
"""


def write_report(results: Results, d: District, out: Path, draw: CoverageMap) -> list[Path]:
    """Write kpis.csv and report.html (its coverage map drawn by `draw`) into `out`; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out / "kpis.csv", out / "report.html"
    write_csv(results.rows, csv_path)
    html_path.write_text(report_html(results, d, draw), encoding="utf-8")
    return [csv_path, html_path]
