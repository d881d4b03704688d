"""Seeded, realistic demo scenarios from any OSM extract (`vanplan generate`, docs/input.md).

rules: the numbers and texts; sites: localities, labels, depot, van stop sites; fleet: vans, coaches,
roster; requests: the requests; config: the options; readme, folder: the folder written.
"""
