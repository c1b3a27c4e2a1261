"""``python -m orylint``."""

from orylint.cli import main

main()
