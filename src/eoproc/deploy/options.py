"""The Part 2 options of ``eoproc-server run`` (light: imported by the server CLI)."""

from __future__ import annotations

from typing import Annotated

import typer

DeployOption = Annotated[
    bool,
    typer.Option(
        "--deploy",
        envvar="EOPROC_DEPLOY",
        help="Let users with the deployer role deploy CWL application packages "
        "(OGC API - Processes - Part 2; needs the cwl extra of eoproc).",
    ),
]
NoContainerOption = Annotated[
    bool,
    typer.Option(
        "--cwl-no-container",
        envvar="EOPROC_CWL_NO_CONTAINER",
        help="Run deployed CWL processes without docker/podman, even with a DockerRequirement.",
    ),
]
DeployerRoleOption = Annotated[
    str,
    typer.Option(
        "--deployer-role",
        envvar="EOPROC_DEPLOYER_ROLE",
        help="The role that deploying, replacing and undeploying need.",
    ),
]
CwlTimeLimitOption = Annotated[
    float,
    typer.Option(
        "--cwl-time-limit",
        envvar="EOPROC_CWL_TIME_LIMIT",
        min=1.0,
        help="Seconds a job of a deployed process may run before it is stopped.",
    ),
]
