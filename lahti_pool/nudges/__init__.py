"""Nudges: messages that remind staff the service exists (issue 20 item 3)."""
