"""The tests' tours of a running kiosk, run in a process of their own: `command()` gives the line."""

from tests.kiosk.tours.cli import command

__all__ = ["command"]
