"""The ``s2gos-client`` command: the CLI of the ESA DTE-S2GOS processing service."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eoproc import __version__
from eoproc.cli import new_cli, run

if TYPE_CHECKING:
    import typer

    from eoproc.client import ClientProfile

NAME = "s2gos-client"
SUMMARY = "Interact with the ESA DTE-S2GOS processing service."


def profile() -> ClientProfile:
    """The S2GOS profile: ``S2GOS_`` environment, ``~/.s2gos/config``."""
    from eoproc.client.profile import ClientProfile

    return ClientProfile(
        name="s2gos",
        env_prefix="S2GOS_",
        config_path=Path("~/.s2gos/config"),
        default_api_url="http://127.0.0.1:8008/",
    )


def create_app() -> typer.Typer:
    """The ``s2gos-client`` app."""
    return new_cli(NAME, SUMMARY, __version__, profile)


def main() -> None:
    """Run ``s2gos-client``."""
    run(create_app())


if __name__ == "__main__":  # pragma: no cover
    main()
