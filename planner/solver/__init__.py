"""The OR-Tools model and search: `solve(problem, params) -> Solution`. Knows nothing of files or maps."""

from planner.solver.search import NoSolutionError, SearchParams, solve

__all__ = ["NoSolutionError", "SearchParams", "solve"]
