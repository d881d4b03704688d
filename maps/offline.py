"""A folium map that fetches nothing: Leaflet inlined from xstatic-leaflet, no tiles unless configured.

Client locations are social data, so a map must not call a CDN or a public tile server when opened.
folium's own page template links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs and its popups
need jQuery; this module empties the map's `default_js`/`default_css`, inlines Leaflet's JS and CSS
(its images as data URIs) and provides a jQuery-free popup.
"""

from __future__ import annotations

import base64
import html
import re
from functools import cache
from pathlib import Path

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from xstatic.pkg import leaflet as xstatic_leaflet

ATTRIBUTION = "© OpenStreetMap contributors"
_LEAFLET_DIR = Path(xstatic_leaflet.BASE_DIR)
_RESOURCE_TAGS = "script|link|img|iframe|frame|source|video|audio|embed|object|track|image|use|a"
_TAG_REF = re.compile(
    rf"<(?:{_RESOURCE_TAGS})\b[^>]*?\b(?:src|href|data|srcset|poster|xlink:href)\s*=\s*[\"']?\s*"
    r"((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)
_CSS_REF = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])\s*((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_ANY_URL = re.compile(r"https?://[^\s\"'`<>)\\]+", re.IGNORECASE)
_FOLIUM_ID = re.compile(r"(?<=[a-z]_)[0-9a-f]{32}(?![0-9a-zA-Z])")


class Raw(Element):
    """Literal HTML placed in the page as it is, never run through Jinja."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        """The text unchanged."""
        return self.text


class Popup(MacroElement):
    """A popup bound to its parent layer with `bindPopup`; folium's own Popup needs jQuery."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {maxWidth: 320});
        {% endmacro %}"""
    )

    def __init__(self, html_text: str) -> None:
        super().__init__()
        self._name = "Popup"
        self.html = html_text


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class Attribution(MacroElement):
    """The visible OSM credit the ODbL requires, with Leaflet named but not linked."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet")
            .addAttribution({{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str = ATTRIBUTION) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


def _data_uri(name: str) -> str:
    data = base64.b64encode((_LEAFLET_DIR / "images" / name).read_bytes()).decode()
    return f"data:image/png;base64,{data}"


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images embedded as data URIs."""
    css = (_LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    return re.sub(r"url\(images/([\w.-]+\.png)\)", lambda m: f"url({_data_uri(m.group(1))})", css)


@cache
def leaflet_js() -> str:
    """Leaflet's minified script, without its source-map comment, default marker images embedded."""
    js = (_LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.MULTILINE)
    icons = (
        f'L.Icon.Default.imagePath = "";\n'
        f'L.Icon.Default.mergeOptions({{iconUrl: "{_data_uri("marker-icon.png")}", '
        f'iconRetinaUrl: "{_data_uri("marker-icon-2x.png")}", '
        f'shadowUrl: "{_data_uri("marker-shadow.png")}"}});'
    )
    return js + "\n" + icons


def page(m: folium.Map) -> Figure:
    """The page (branca Figure) that a map is drawn in."""
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError("the map is not part of a page")
    return root


def new_map(title: str, tile_url: str = "") -> folium.Map:
    """An empty map with Leaflet inlined, fractional zoom and the OSM credit; tiles only from `tile_url`."""
    m = folium.Map(tiles=None, zoom_snap=0.25, zoom_delta=0.5)
    m.default_js = []
    m.default_css = []
    m.options["max_zoom"] = 19
    figure = page(m)
    figure.title = html.escape(title)
    figure.header.add_child(Raw(f'<style data-vendor="leaflet">{leaflet_css()}</style>'), name="leaflet_css")
    figure.header.add_child(Raw(f'<script data-vendor="leaflet">{leaflet_js()}</script>'), name="leaflet_js")
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=ATTRIBUTION, max_zoom=19, control=False).add_to(m)
    Attribution().add_to(m)
    MetricScale().add_to(m)
    return m


def fit(m: folium.Map, box: tuple[float, float, float, float]) -> None:
    """Fit the view to a (south, west, north, east) box at fractional zoom."""
    south, west, north, east = box
    m.fit_bounds([[south, west], [north, east]], padding=(40, 40), max_zoom=16)


def to_html(m: folium.Map, lang: str) -> str:
    """The whole page as text, with the language set and folium's random element ids made sequential.

    Sequential ids make the same plan give the same files, byte for byte.
    """
    text = page(m).render().replace("<html>", f'<html lang="{lang}">', 1)
    ids: dict[str, str] = {}
    return _FOLIUM_ID.sub(lambda hit: ids.setdefault(hit.group(0), f"{len(ids):x}"), text)


def external_urls(page: str) -> list[str]:
    """Every reference in a page that could make the browser fetch from a host.

    Looks at src/href-like attributes of resource tags (and links), CSS url() and @import, and any
    http(s) address in the page's own scripts. The inlined Leaflet library is skipped: its only
    addresses are the SVG namespace and its home page, which are never fetched.
    """
    own = _SCRIPT.sub(lambda hit: "" if "data-vendor" in hit.group(1) else hit.group(0), page)
    found = _TAG_REF.findall(own) + _CSS_REF.findall(own)
    for _attrs, body in _SCRIPT.findall(own):
        found += _ANY_URL.findall(body)
    return sorted(set(found))
