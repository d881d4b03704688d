"""The plan: tours and the unscheduled list assembled from a solution, and its independent check."""
