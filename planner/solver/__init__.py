"""The OR-Tools model and search: `solve(problem, params) -> Solution`. Knows nothing of files or maps."""

from planner.solver.search import SearchParams, compile_kernel, nothing_placed, solve

__all__ = ["SearchParams", "compile_kernel", "nothing_placed", "solve"]
