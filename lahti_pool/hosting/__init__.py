"""Hosts as people: venues, the rotation plan of a group's hosts, the host's reminder."""
