"""The ``sen4cap-client`` command: the CLI of the ESA Sen4CAP processing service."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eoproc import __version__
from eoproc.cli import new_cli, run

if TYPE_CHECKING:
    import typer

    from eoproc.client import ClientProfile

NAME = "sen4cap-client"
SUMMARY = "Interact with the ESA Sen4CAP processing service."


def profile() -> ClientProfile:
    """The Sen4CAP profile: ``SEN4CAP_`` environment, ``~/.sen4cap/config``."""
    from eoproc.client.profile import ClientProfile

    return ClientProfile(
        name="sen4cap",
        env_prefix="SEN4CAP_",
        config_path=Path("~/.sen4cap/config"),
        default_api_url="http://127.0.0.1:8008/",
    )


def create_app() -> typer.Typer:
    """The ``sen4cap-client`` app."""
    return new_cli(NAME, SUMMARY, __version__, profile)


def main() -> None:
    """Run ``sen4cap-client``."""
    run(create_app())


if __name__ == "__main__":  # pragma: no cover
    main()
