"""The README.md of a generated folder: how it was made, what is in it, and the map data licence."""

from __future__ import annotations

from collections import Counter

from planner.generate.config import Config, command_line
from planner.generate.rules import KIND_SHARES
from planner.scenario import Kind, Scenario


def readme_text(cfg: Config, scenario: Scenario) -> str:
    """A short description of the folder `cfg` made: the command, the counts, the map data licence."""
    s = scenario.settings
    kinds = Counter(r.kind for r in scenario.requests)
    crews = Counter((e.day, e.van) for e in scenario.roster)
    crew_sizes = list(crews.values())
    geocoded = sum(1 for r in scenario.requests if r.point is None)
    late = sum(1 for r in scenario.requests if r.kind is Kind.HOME_VISIT and r.latest is not None)
    depot = s.depots[0]
    return "\n".join(
        [
            f"# {s.name}: demo scenario",
            "",
            f"Generated from the OpenStreetMap extract `{cfg.osm.name}` (path in `scenario.toml`) with",
            "",
            "```",
            command_line(cfg),
            "```",
            "",
            "(give the real paths of the extract and the folder). The same arguments give the same files.",
            "",
            f"- week {s.week}, planned on {s.planning_date.isoformat()}; depot {depot.name} ({depot.id})",
            f"- {len(scenario.requests)} requests:",
            *(f"  - {k.value}: {kinds[k]}" for k in KIND_SHARES),
            f"- {geocoded} requests carry only an address and are geocoded offline from the extract;",
            f"  {late} home visits cannot meet the {s.notice_days}-day notice before their latest date",
            f"- {len(scenario.vans)} vans, {len(scenario.coaches)} coaches, {len(crews)} van-days "
            f"(crew of 1: {crew_sizes.count(1)}, 2: {crew_sizes.count(2)}, 3: {crew_sizes.count(3)})",
            "",
            "Every location is a real feature of the extract (address, bench, café, town hall, parking).",
            "Clients are pseudonyms (K-1001, ...); coach names and phone numbers are fictional.",
            "",
            "Map data © OpenStreetMap contributors, available under the Open Database License (ODbL),",
            "https://www.openstreetmap.org/copyright.",
            "",
        ]
    )
