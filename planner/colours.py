"""Colours told apart on screen and in print, shared by the maps and the simulation report's charts."""

from __future__ import annotations

# One per van (maps) or fleet variant (simulation report), repeating after eight
PALETTE = ("#1f5fbf", "#d1344b", "#1f8f3a", "#8a3ea8", "#e07000", "#00838f", "#9e7b00", "#c2185b")
# One per weekday, Monday first
DAY_PALETTE = ("#1f5fbf", "#d1344b", "#1f8f3a", "#8a3ea8", "#e07000", "#00838f", "#6d4c41")
