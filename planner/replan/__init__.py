"""Replanning a week under way (`vanplan replan`): cancellations, absences, urgent cases, with the
fewest changes. `load_changes` reads changes.csv, `replan` makes the next plan version, `diff`
says what changed for whom."""

from planner.replan.changes import Change, ChangeKind, load_changes
from planner.replan.diff import PlanChange, changes_table
from planner.replan.engine import Replanned, replan

__all__ = ["Change", "ChangeKind", "PlanChange", "Replanned", "changes_table", "load_changes", "replan"]
