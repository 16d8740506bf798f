"""Quotes for a group: ask supervisors of the agreement, compare, accept one."""
