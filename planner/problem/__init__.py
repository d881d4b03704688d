"""The routing problem: jobs, vehicles and travel times, built from a scenario."""
