"""The ``sen4cap-client`` command: the CLI of the ESA Sen4CAP processing service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eoproc import __version__
from eoproc.cli import new_cli, run

from . import PROFILE

if TYPE_CHECKING:
    import typer

NAME = "sen4cap-client"
SUMMARY = "Interact with the ESA Sen4CAP processing service."


def create_app() -> typer.Typer:
    """The ``sen4cap-client`` app."""
    return new_cli(NAME, SUMMARY, __version__, PROFILE)


def main() -> None:
    """Run ``sen4cap-client``."""
    run(create_app())


if __name__ == "__main__":  # pragma: no cover
    main()
