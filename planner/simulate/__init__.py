"""Coverage simulation: many planned weeks of a district per fleet variant, with KPIs (docs/simulate.md)."""
