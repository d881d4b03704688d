"""The simulation report's coverage map: an offline page with a layer of clients per fleet variant."""

from __future__ import annotations

from html import escape

import folium

from maps.layers import add_background
from maps.offline import Popup, fit, new_map, to_html
from planner.i18n import texts
from planner.simulate.mapview import CoverageView


def coverage_map(view: CoverageView) -> str:
    """Clients coloured by drive time to the nearest stop or depot, with the sites and depots; one
    switchable layer per variant, the last one shown."""
    m = new_map(view.title)
    add_background(m, view.network, view.box, texts("de"), "")
    for i, layer in enumerate(view.layers):
        group = folium.FeatureGroup(name=escape(layer.name), show=i == len(view.layers) - 1)
        for home, colour in layer.clients:
            folium.CircleMarker(
                [home.lat, home.lon],
                radius=3,
                color=colour,
                fill=True,
                fill_opacity=0.8,
                weight=1,
            ).add_to(group)
        for site in layer.sites:
            icon = folium.DivIcon(
                html=f'<div style="width:14px;height:14px;background:{layer.colour};'
                'border:2px solid #fff;box-shadow:0 1px 4px rgba(0,0,0,.6)"></div>',
                icon_size=(18, 18),
                icon_anchor=(9, 9),
            )
            marker = folium.Marker([site.point.lat, site.point.lon], icon=icon)
            marker.add_child(Popup(f'<div class="vp-pop"><b>Haltestelle</b><br>{escape(site.label)}</div>'))
            marker.add_to(group)
        for depot in layer.depots:
            dot = folium.CircleMarker(
                [depot.point.lat, depot.point.lon],
                radius=8,
                color="#fff",
                weight=2,
                fill_color="#222",
                fill_opacity=1,
            )
            dot.add_child(Popup(f'<div class="vp-pop"><b>Depot</b><br>{escape(depot.label)}</div>'))
            dot.add_to(group)
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    fit(m, view.box)
    return to_html(m, "de")
