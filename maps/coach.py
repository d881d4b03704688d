"""A coach's own pages (one per day, one for the week): the map and the stop list, phone-sized.

Only tours the coach rides are put into the page at all (map layers, background, list), so nothing
about other coaches' clients can be found in its HTML.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

import folium

from maps.layers import (
    add_background,
    add_depots,
    add_panel,
    coach_name,
    coach_phone,
    draw_tours,
    stop_popup,
    swatch,
    tours_box,
    van_colours,
    van_name,
)
from maps.offline import fit, new_map, to_html
from maps.protocol import Network
from maps.text import bring_list, buffer_text, client_ref, clock, day_label, kind_name
from planner.colours import DAY_PALETTE
from planner.i18n import Texts, texts
from planner.plan.tours import Plan, Tour
from planner.scenario import Scenario

_PHONE = re.compile(r"\+?\d[\d /()-]{4,}\d")


def phone_links(text: str) -> str:
    """HTML of `text` with telephone numbers made into tel: links."""
    out, last = [], 0
    for hit in _PHONE.finditer(text):
        number = re.sub(r"[^\d+]", "", hit.group(0))
        out += [escape(text[last : hit.start()]), f'<a href="tel:{number}">{escape(hit.group(0))}</a>']
        last = hit.end()
    return "".join(out) + escape(text[last:])


def coach_tours(plan: Plan, coach_id: str, day: date | None = None) -> list[Tour]:
    """The tours `coach_id` rides, of one day or the whole week, in date order."""
    tours = [t for t in plan.tours if coach_id in t.crew and (day is None or t.day == day)]
    return sorted(tours, key=lambda t: (t.day, t.depart))


def _tour_list(tx: Texts, tz: ZoneInfo, scenario: Scenario, coach_id: str, tour: Tour, colour: str) -> str:
    crew = ", ".join(escape(coach_name(scenario, c)) for c in tour.crew)
    call = [phone_links(scenario.settings.contact)] if scenario.settings.contact else []
    call += [
        f"{escape(coach_name(scenario, c))} {phone_links(coach_phone(scenario, c))}"
        for c in tour.crew
        if c != coach_id and coach_phone(scenario, c)
    ]
    items: list[tuple[datetime, str]] = []
    for stop in tour.stops:
        where = ", ".join(escape(x) for x in (stop.place, stop.address) if x)
        details = [
            f'<span class="vp-n">{stop.sequence}</span><b>{clock(stop.start, tz)}–{clock(stop.end, tz)}</b> '
            f"{escape(kind_name(tx, stop.kind))}" + (f" ({escape(tx.pinned)})" if stop.pinned else ""),
            f"{escape(tx.client)}: {escape(client_ref(tx, stop, scenario.settings.show_names))}",
            f'{where} · <a href="geo:{stop.lat:.6f},{stop.lon:.6f}">{escape(tx.open_in_app)}</a>',
            f'<span class="vp-muted">{escape(tx.arrival)} {clock(stop.arrival, tz)} · {escape(tx.departure)} '
            f"{clock(stop.departure, tz)} · {escape(tx.buffer)}: {escape(buffer_text(tx, stop))}</span>",
            f"{escape(tx.what_to_bring)}: {escape('; '.join(bring_list(tx, tour, stop)))}",
            f'<span class="vp-muted">{escape(tx.hints.get(stop.kind, ""))}</span>',
        ]
        if stop.note:
            details.append(f"{escape(tx.note)}: {escape(stop.note)}")
        items.append(
            (stop.start, f'<li class="vp-item" style="--c:{colour}">' + "<br>".join(details) + "</li>")
        )
    for pause in tour.breaks:
        line = f"{escape(tx.pause)} {clock(pause.start, tz)}–{clock(pause.end, tz)}"
        items.append((pause.start, f'<li class="vp-item vp-break">{line}</li>'))
    items.sort(key=lambda item: item[0])
    return (
        f"<h2>{swatch(colour)} {escape(day_label(tx, tour.day))} · "
        f"{escape(van_name(scenario, tour.van))}</h2>"
        f"<p>{escape(tx.leave_depot)} {clock(tour.depart, tz)} · {escape(tx.back_at_depot)} "
        f"{clock(tour.back, tz)}<br>{escape(tx.crew)}: {crew}</p>"
        + (f'<p class="vp-call">{escape(tx.if_late)}: {" · ".join(call)}</p>' if call else "")
        + "<ol>"
        + "".join(html for _, html in items)
        + "</ol>"
    )


def coach_page(
    plan: Plan, scenario: Scenario, network: Network, coach_id: str, day: date | None = None, lang: str = "de"
) -> str:
    """The HTML page of `coach_id`'s stops on `day`, or of the whole week when `day` is None."""
    tx = texts(lang)
    tz = ZoneInfo(plan.timezone)
    tours = coach_tours(plan, coach_id, day)
    name = coach_name(scenario, coach_id)
    title = f"{tx.my_day} {day_label(tx, day)}" if day else f"{tx.my_week} {plan.week}"
    van_colour = van_colours(plan, scenario)
    colours = [van_colour[t.van] if day else DAY_PALETTE[t.day.weekday() % len(DAY_PALETTE)] for t in tours]

    m = new_map(f"{title} · {name}", scenario.settings.tile_url)
    box = tours_box(tours) or network.bounds
    add_background(m, network, box, tx, scenario.settings.tile_url)
    groups = []
    for tour, colour in zip(tours, colours, strict=True):
        label = f"{swatch(colour)} {escape(day_label(tx, tour.day))} · {escape(van_name(scenario, tour.van))}"
        group = folium.FeatureGroup(name=label)
        group.add_to(m)
        groups.append((group, tour, colour))
    draw_tours(groups, network, lambda t, s: stop_popup(tx, tz, scenario, t, s), tx)
    add_depots(m, tours, scenario, tx)
    if len(tours) > 1:
        folium.LayerControl(collapsed=True).add_to(m)
    fit(m, box)

    body = "".join(_tour_list(tx, tz, scenario, coach_id, t, c) for t, c in zip(tours, colours, strict=True))
    add_panel(
        m,
        f'<h1>{escape(title)}<br><span class="vp-muted">{escape(name)}</span></h1>'
        f"{body or f'<p>{escape(tx.none)}</p>'}"
        f'<p class="vp-muted">{escape(tx.confidential)}</p>',
    )
    return to_html(m, lang)
