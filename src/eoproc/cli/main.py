"""The ``eoproc`` command: a client for any OGC API - Processes service."""

from __future__ import annotations

import typer

from eoproc import __version__

from .app import new_cli, run

SUMMARY = "Interact with an OGC API - Processes service."


def create_app() -> typer.Typer:
    """The ``eoproc`` app (environment prefix ``EOPROC_``, file ``~/.eoproc/config``)."""
    return new_cli("eoproc", SUMMARY, __version__, profile=None)


def main() -> None:
    """Run the ``eoproc`` command line."""
    run(create_app())


if __name__ == "__main__":  # pragma: no cover
    main()
