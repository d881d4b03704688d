"""The coordinator's day map: every van's tour of one date, a colour and a layer per van."""

from __future__ import annotations

from datetime import date
from html import escape
from zoneinfo import ZoneInfo

import folium

from maps.layers import (
    add_background,
    add_depots,
    add_panel,
    crew_names,
    depot_symbol,
    draw_tours,
    stop_popup,
    swatch,
    tours_box,
    van_colours,
    van_name,
)
from maps.offline import fit, new_map, to_html
from maps.protocol import Network
from maps.text import client_ref, clock, day_label, kind_name
from planner.i18n import Texts, texts
from planner.plan.tours import Plan, Tour
from planner.scenario import Scenario


def day_tours(plan: Plan, scenario: Scenario, day: date) -> list[Tour]:
    """The tours of `day` in the scenario's van order."""
    order = {v.id: i for i, v in enumerate(scenario.vans)}
    tours = (t for t in plan.tours if t.day == day)
    return sorted(tours, key=lambda t: (order.get(t.van, len(order)), t.van))


def tour_summary(tx: Texts, tz: ZoneInfo, tour: Tour) -> str:
    """One line about a tour: stops, depot to depot times, kilometres."""
    times = f"{clock(tour.depart, tz)}–{clock(tour.back, tz)}"
    return f"{len(tour.stops)} {tx.stops} · {times} · {tour.km:.0f} km"


def legend_notes(tx: Texts, network: Network) -> str:
    """The legend's footer: depot symbol, marker shapes, and a warning when lines are straight."""
    notes = [tx.shapes] + ([] if network.is_road else [tx.straight_lines])
    return f"<p>{depot_symbol(tx)}</p>" + "".join(f'<p class="vp-muted">{escape(n)}</p>' for n in notes)


def _tour_table(tx: Texts, tz: ZoneInfo, scenario: Scenario, tour: Tour, colour: str) -> str:
    rows = "".join(
        f'<tr><td><span class="vp-n" style="--c:{colour}">{s.sequence}</span></td>'
        f'<td class="vp-nw">{clock(s.start, tz)}–{clock(s.end, tz)}</td>'
        f"<td>{escape(kind_name(tx, s.kind))}</td>"
        f'<td class="vp-nw">{escape(client_ref(tx, s, scenario.settings.show_names))}</td>'
        f"<td>{escape(s.place)}</td></tr>"
        for s in tour.stops
    )
    return (
        f"<h2>{swatch(colour)} {escape(van_name(scenario, tour.van))}</h2>"
        f"<p>{escape(tx.crew)}: {escape(crew_names(scenario, tour))}<br>"
        f'<span class="vp-muted">{escape(tour_summary(tx, tz, tour))}</span></p><table>{rows}</table>'
    )


def day_map(plan: Plan, scenario: Scenario, network: Network, day: date, lang: str = "de") -> str:
    """The HTML page of the day map for `day`."""
    tx = texts(lang)
    tz = ZoneInfo(plan.timezone)
    tours = day_tours(plan, scenario, day)
    colours = van_colours(plan, scenario)
    title = f"{tx.day_plan} {day_label(tx, day)}"
    m = new_map(f"{title} · {scenario.settings.name}", scenario.settings.tile_url)
    box = tours_box(tours) or network.bounds
    add_background(m, network, box, tx, scenario.settings.tile_url)

    groups = []
    for tour in tours:
        group = folium.FeatureGroup(
            name=f"{swatch(colours[tour.van])} {escape(van_name(scenario, tour.van))}"
        )
        group.add_to(m)
        groups.append((group, tour, colours[tour.van]))
    draw_tours(groups, network, lambda t, s: stop_popup(tx, tz, scenario, t, s), tx)
    add_depots(m, tours, scenario, tx)
    folium.LayerControl(collapsed=False).add_to(m)
    fit(m, box)

    tables = "".join(_tour_table(tx, tz, scenario, t, colours[t.van]) for t in tours)
    add_panel(
        m,
        f'<h1>{escape(title)}<br><span class="vp-muted">{escape(scenario.settings.name)}</span></h1>'
        f"{tables or f'<p>{escape(tx.none)}</p>'}{legend_notes(tx, network)}",
    )
    return to_html(m, lang)
