"""Placeholder – being written."""

import click


@click.command("demo")
def demo_command():
    """Create demo data."""
