"""``python -m orylint``."""

from orylint.cli import run

run()
