"""The coordinator's week overview: one layer per day, and the unscheduled requests with their reason."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

import folium

from maps.day import day_tours, legend_notes
from maps.layers import (
    add_background,
    add_depots,
    add_panel,
    draw_tours,
    stop_popup,
    swatch,
    tours_box,
    unscheduled_marker,
)
from maps.offline import fit, new_map, to_html
from maps.protocol import Network
from maps.text import day_label, kind_name, reason_text
from planner.colours import DAY_PALETTE
from planner.i18n import Texts, texts
from planner.plan.tours import Plan, Unscheduled
from planner.scenario import Point, Scenario


def unscheduled_popup(tx: Texts, item: Unscheduled) -> str:
    """Popup HTML of an unscheduled request: id, kind, pseudonymous client, reason, priority."""
    return (
        f'<div class="vp-pop"><b>{escape(tx.unscheduled)}: {escape(item.request_id)}</b><br>'
        f"{escape(kind_name(tx, item.kind))} · {escape(item.client or tx.walk_in)}<br>"
        f"{escape(tx.reason)}: {escape(reason_text(tx, item.reason, item.detail))}<br>"
        f"{escape(tx.priority)} {item.priority}</div>"
    )


def _unscheduled_table(tx: Texts, items: tuple[Unscheduled, ...]) -> str:
    rows = "".join(
        f'<tr><td class="vp-nw">{escape(u.request_id)}</td><td>{escape(kind_name(tx, u.kind))}<br>'
        f"{escape(u.client or tx.walk_in)}</td><td>{escape(reason_text(tx, u.reason, u.detail))}"
        + ("" if u.lat is not None and u.lon is not None else f" ({escape(tx.no_location)})")
        + f"</td><td>{u.priority}</td></tr>"
        for u in sorted(items, key=lambda u: (u.priority, u.request_id))
    )
    return f"<h2>{escape(tx.unscheduled)} ({len(items)})</h2><table>{rows}</table>" if items else ""


def week_map(plan: Plan, scenario: Scenario, network: Network, lang: str = "de") -> str:
    """The HTML page of the week overview."""
    tx = texts(lang)
    tz = ZoneInfo(plan.timezone)
    title = f"{tx.week_plan} {plan.week}"
    m = new_map(f"{title} · {scenario.settings.name}", scenario.settings.tile_url)
    located = [Point(u.lat, u.lon) for u in plan.unscheduled if u.lat is not None and u.lon is not None]
    box = tours_box(plan.tours, located) or network.bounds
    add_background(m, network, box, tx, scenario.settings.tile_url)

    groups = []
    rows = []
    for day in sorted({t.day for t in plan.tours}):
        colour = DAY_PALETTE[day.weekday() % len(DAY_PALETTE)]
        tours = day_tours(plan, scenario, day)
        n_stops = sum(len(t.stops) for t in tours)
        group = folium.FeatureGroup(name=f"{swatch(colour)} {escape(day_label(tx, day))} ({n_stops})")
        group.add_to(m)
        groups += [(group, tour, colour) for tour in tours]
        rows.append(
            f"<tr><td>{swatch(colour)} {escape(day_label(tx, day))}</td>"
            f"<td>{len(tours)} × {escape(tx.van)}</td><td>{n_stops} {escape(tx.stops)}</td>"
            f"<td>{sum(t.km for t in tours):.0f} km</td></tr>"
        )
    draw_tours(groups, network, lambda t, s: stop_popup(tx, tz, scenario, t, s), tx)
    add_depots(m, plan.tours, scenario, tx)

    missing = folium.FeatureGroup(name=f"{escape(tx.unscheduled)} ({len(plan.unscheduled)})")
    for item in plan.unscheduled:
        marker = unscheduled_marker(item, unscheduled_popup(tx, item))
        if marker is not None:
            marker.add_to(missing)
    missing.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    fit(m, box)

    add_panel(
        m,
        f'<h1>{escape(title)}<br><span class="vp-muted">{escape(scenario.settings.name)}</span></h1>'
        f"<table>{''.join(rows)}</table>{legend_notes(tx, network)}"
        f"{_unscheduled_table(tx, plan.unscheduled)}",
    )
    return to_html(m, lang)
