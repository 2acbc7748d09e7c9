"""The ``s2gos-client`` command: the CLI of the ESA DTE-S2GOS processing service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eoproc import __version__
from eoproc.cli import new_cli, run

from . import PROFILE

if TYPE_CHECKING:
    import typer

NAME = "s2gos-client"
SUMMARY = "Interact with the ESA DTE-S2GOS processing service."


def create_app() -> typer.Typer:
    """The ``s2gos-client`` app."""
    return new_cli(NAME, SUMMARY, __version__, PROFILE)


def main() -> None:
    """Run ``s2gos-client``."""
    run(create_app())


if __name__ == "__main__":  # pragma: no cover
    main()
