"""Tours on a map, shared by the day, week and coach pages: routes along the roads, numbered stops.

Stops are numbered `DivIcon` markers (folium.Icon would pull Font Awesome and Bootstrap from CDNs);
the marker's shape tells the kind of appointment, its colour the van or the day. Every page puts
its legend and lists in a side panel, so nothing covers the map.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from html import escape
from itertools import pairwise
from zoneinfo import ZoneInfo

import folium

from maps.background import pad, place_layer, road_layer
from maps.offline import Popup, Raw, page
from maps.protocol import Box, Network
from maps.text import buffer_text, client_ref, clock, kind_name
from planner.colours import PALETTE
from planner.i18n import Texts, number
from planner.plan.tours import Plan, Stop, Tour, Unscheduled
from planner.scenario import Point, Scenario

STYLE = """<style>
html > body { display: grid; grid-template-columns: minmax(0, 1fr) minmax(320px, 34%);
  font: 15px/1.4 Arial, sans-serif; color: #222; }
html > body > .folium-map { grid-column: 1; grid-row: 1; height: 100vh !important; }
.leaflet-container { background: #f5f3ee; }
.vp-list { grid-column: 2; grid-row: 1; height: 100vh; overflow-y: auto; box-sizing: border-box;
  padding: 10px 14px; }
.vp-list h1 { font-size: 19px; margin: 4px 0 8px; }
.vp-list h2 { font-size: 16px; margin: 16px 0 4px; }
.vp-list p { margin: 4px 0; }
.vp-list ol { list-style: none; padding: 0; margin: 0; }
.vp-list table { border-collapse: collapse; width: 100%; font-size: 13px; }
.vp-list td { padding: 3px 4px; border-bottom: 1px solid #e6e4df; vertical-align: top; }
.vp-list td.vp-nw { white-space: nowrap; }
.vp-list .vp-n { display: inline-block; min-width: 22px; border-radius: 11px; background: var(--c);
  color: #fff; text-align: center; font-weight: bold; margin-right: 6px; }
.vp-item { border-left: 6px solid var(--c); background: #f7f7f5; margin: 8px 0; padding: 6px 10px;
  border-radius: 4px; }
.vp-item.vp-break { border-left-color: #aaa; color: #555; }
.vp-call { background: #fff4d6; padding: 6px 8px; border-radius: 4px; }
.vp-muted { color: #666; font-size: 13px; }
.vp-swatch { display: inline-block; width: 18px; height: 6px; border-radius: 3px; background: var(--c);
  vertical-align: middle; }
@media (max-width: 800px) {
  html > body { grid-template-columns: 1fr; height: auto; }
  html > body > .folium-map { height: 55vh !important; }
  .vp-list { grid-column: 1; grid-row: 2; height: auto; overflow: visible; }
}
.vp-stop .vp-num { width: 26px; height: 26px; box-sizing: border-box; border: 2px solid #fff;
  border-radius: 50%; background: var(--c); color: #fff; font: bold 13px/22px Arial, sans-serif;
  text-align: center; box-shadow: 0 1px 4px rgba(0, 0, 0, .55); }
.vp-stop .vp-num.vp-walk_and_talk { border-radius: 8px; }
.vp-stop .vp-num.vp-accompany { border-radius: 2px; }
.vp-stop .vp-num.vp-van_stop { background: #fff; color: var(--c); border: 4px solid var(--c);
  line-height: 18px; }
.vp-depot span { display: block; width: 24px; height: 24px; background: #222;
  clip-path: polygon(50% 0, 100% 45%, 86% 45%, 86% 100%, 14% 100%, 14% 45%, 0 45%); }
.vp-unscheduled div { width: 20px; height: 20px; box-sizing: border-box; border: 2px dashed #fff;
  border-radius: 50%; background: #666; color: #fff; font: bold 13px/16px Arial, sans-serif;
  text-align: center; box-shadow: 0 1px 4px rgba(0, 0, 0, .55); }
.vp-place span { display: block; transform: translate(-50%, -50%); white-space: nowrap; color: #555;
  font: italic 12px Arial, sans-serif; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.vp-pop { font: 13px/1.4 Arial, sans-serif; }
.vp-pop .vp-id { color: #666; font-size: 11px; }
</style>"""


def add_panel(m: folium.Map, html_text: str) -> None:
    """The page layout: the map with a side panel (legend, lists) beside it, or under it on a phone."""
    page(m).header.add_child(Raw(STYLE), name="vp_style")
    page(m).html.add_child(Raw(f'<aside class="vp-list">{html_text}</aside>'), name="vp_list")


def van_colours(plan: Plan, scenario: Scenario) -> dict[str, str]:
    """A fixed colour per van, in the scenario's van order, so a van looks the same on every page."""
    order = [v.id for v in scenario.vans]
    order += sorted({t.van for t in plan.tours} - set(order))
    return {van: PALETTE[i % len(PALETTE)] for i, van in enumerate(order)}


def van_name(scenario: Scenario, van_id: str) -> str:
    """The van's display name, or its id."""
    return next((v.name or v.id for v in scenario.vans if v.id == van_id), van_id)


def coach_name(scenario: Scenario, coach_id: str) -> str:
    """The coach's display name, or the id."""
    return next((c.name or c.id for c in scenario.coaches if c.id == coach_id), coach_id)


def coach_phone(scenario: Scenario, coach_id: str) -> str:
    """The coach's phone number, or "" when none is known."""
    return next((c.phone for c in scenario.coaches if c.id == coach_id), "")


def crew_names(scenario: Scenario, tour: Tour) -> str:
    """The crew of a tour by name, comma-separated."""
    return ", ".join(coach_name(scenario, c) for c in tour.crew)


def legs(tour: Tour) -> list[tuple[Point, Point]]:
    """Depot to first stop, stop to stop, last stop back to the depot."""
    points = [Point(tour.depot_lat, tour.depot_lon)]
    points += [Point(s.lat, s.lon) for s in tour.stops]
    points.append(points[0])
    return list(pairwise(points)) if tour.stops else []


def tours_box(tours: Sequence[Tour], extra: Sequence[Point] = ()) -> Box | None:
    """The box around the depots and stops of `tours` (and `extra` points); None if there are none."""
    points = [Point(t.depot_lat, t.depot_lon) for t in tours]
    points += [Point(s.lat, s.lon) for t in tours for s in t.stops]
    points += list(extra)
    if not points:
        return None
    lats = [p.lat for p in points]
    lons = [p.lon for p in points]
    return min(lats), min(lons), max(lats), max(lons)


def add_background(m: folium.Map, network: Network, box: Box, tx: Texts, tile_url: str) -> None:
    """Roads (and place names) around `box`, unless a tile server draws the background."""
    if tile_url:
        return
    area = pad(box)
    for layer in (road_layer(network, area, tx), place_layer(network, area, tx)):
        if layer is not None:
            layer.add_to(m)


def stop_popup(tx: Texts, tz: ZoneInfo, scenario: Scenario, tour: Tour, stop: Stop) -> str:
    """Popup HTML of a stop: time, kind, pseudonymous client, place, staff, van, buffers."""
    where = ", ".join(escape(x) for x in (stop.place, stop.address) if x)
    pinned = f" ({escape(tx.pinned)})" if stop.pinned else ""
    client = escape(client_ref(tx, stop, scenario.settings.show_names))
    return (
        f'<div class="vp-pop"><b>{stop.sequence}. {clock(stop.start, tz)}–{clock(stop.end, tz)}</b>'
        f"{pinned}<br>"
        f"{escape(kind_name(tx, stop.kind))} · {client}<br>"
        + (f"{where}<br>" if where else "")
        + f"{escape(tx.staff)}: {stop.staff} · {escape(van_name(scenario, tour.van))} "
        f"({escape(crew_names(scenario, tour))})<br>"
        f"{escape(tx.buffer)}: {escape(buffer_text(tx, stop))}<br>"
        f"{escape(tx.arrival)} {clock(stop.arrival, tz)} · "
        f"{escape(tx.departure)} {clock(stop.departure, tz)}<br>"
        f'<span class="vp-id">{escape(tx.request)} {escape(stop.request_id)}</span></div>'
    )


def fan_offset(k: int) -> tuple[int, int]:
    """Pixel offset of the k-th marker at one spot: the first in place, then rings of six around it."""
    if k == 0:
        return 0, 0
    ring, slot = divmod(k - 1, 6)
    angle = math.radians(60 * slot + 30 * ring)
    return round(24 * (ring + 1) * math.cos(angle)), round(24 * (ring + 1) * math.sin(angle))


def stop_marker(stop: Stop, colour: str, popup_html: str, shift: int = 0) -> folium.Marker:
    """A numbered marker shaped by kind, filled with `colour`, fanned out as the `shift`-th at its spot."""
    dx, dy = fan_offset(shift)
    icon = folium.DivIcon(
        html=f'<div class="vp-num vp-{escape(stop.kind)}" style="--c:{colour}">{stop.sequence}</div>',
        class_name="vp-stop",
        icon_size=(26, 26),
        icon_anchor=(13 - dx, 13 - dy),
    )
    marker = folium.Marker([stop.lat, stop.lon], icon=icon)
    marker.add_child(Popup(popup_html))
    return marker


def draw_tours(
    groups: Sequence[tuple[folium.FeatureGroup, Tour, str]],
    network: Network,
    popup: Callable[[Tour, Stop], str],
    tx: Texts,
) -> None:
    """Each (layer, tour, colour): one route line per leg along the roads, one marker per stop.

    The road geometry of all legs comes from a single `network.paths` call. Stops at the same spot
    (or at a depot) are set side by side so that every number stays readable.
    """
    all_legs = [leg for _, tour, _ in groups for leg in legs(tour)]
    paths = iter(network.paths(all_legs) if all_legs else [])
    taken = Counter({(round(t.depot_lat, 5), round(t.depot_lon, 5)): 1 for _, t, _ in groups})
    for group, tour, colour in groups:
        if not tour.stops:
            continue
        drives = [(s.drive_min, s.drive_km) for s in tour.stops] + [(tour.return_drive_min, tour.return_km)]
        for (minutes, km), path in zip(drives, paths, strict=False):
            line = folium.PolyLine(
                [[p.lat, p.lon] for p in path], color=colour, weight=5, opacity=0.85, class_name="vp-route"
            )
            line.add_child(
                Popup(
                    f'<div class="vp-pop">{escape(tx.drive)}: {minutes:.0f} min · '
                    f"{number(km, 1, tx.lang)} km</div>"
                )
            )
            line.add_to(group)
        for stop in tour.stops:
            spot = (round(stop.lat, 5), round(stop.lon, 5))
            stop_marker(stop, colour, popup(tour, stop), taken[spot]).add_to(group)
            taken[spot] += 1


def add_depots(m: folium.Map, tours: Sequence[Tour], scenario: Scenario, tx: Texts) -> None:
    """One house-shaped marker per depot used by `tours`."""
    seen: dict[str, Tour] = {}
    for tour in tours:
        seen.setdefault(tour.depot, tour)
    for depot_id, tour in seen.items():
        name = next((d.name for d in scenario.settings.depots if d.id == depot_id), depot_id)
        icon = folium.DivIcon(
            html="<span></span>", class_name="vp-depot", icon_size=(24, 24), icon_anchor=(12, 20)
        )
        marker = folium.Marker([tour.depot_lat, tour.depot_lon], icon=icon)
        marker.add_child(Popup(f'<div class="vp-pop"><b>{escape(tx.depot)}</b><br>{escape(name)}</div>'))
        marker.add_to(m)


def unscheduled_marker(item: Unscheduled, popup_html: str) -> folium.Marker | None:
    """A grey marker for an unscheduled request with a location; None when it has none."""
    if item.lat is None or item.lon is None:
        return None
    icon = folium.DivIcon(
        html="<div>!</div>", class_name="vp-unscheduled", icon_size=(20, 20), icon_anchor=(10, 10)
    )
    marker = folium.Marker([item.lat, item.lon], icon=icon)
    marker.add_child(Popup(popup_html))
    return marker


def swatch(colour: str) -> str:
    """A small line of `colour` for legends."""
    return f'<span class="vp-swatch" style="--c:{colour}"></span>'


def depot_symbol(tx: Texts) -> str:
    """The depot marker in small, with its name, for legends."""
    return (
        '<span class="vp-depot"><span style="display:inline-block;width:14px;height:14px;'
        f'vertical-align:middle"></span></span> {escape(tx.depot)}'
    )
