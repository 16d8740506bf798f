"""Placeholder – being written."""

import click


@click.command("import-staff")
def import_staff_command():
    """Import or update staff from an HR export (CSV)."""
