"""``s2gos-server``: the eoproc server CLI branded for DTE-S2GOS."""

from __future__ import annotations

from eoproc.server.cli import new_server_cli

cli = new_server_cli(
    "s2gos-server",
    summary="Serve DTE-S2GOS processes as an OGC API - Processes service.",
    default_service="s2gos_server.services.testing:service",
)


def main() -> None:
    """Entry point of ``s2gos-server``."""
    cli(prog_name="s2gos-server")


if __name__ == "__main__":
    main()
