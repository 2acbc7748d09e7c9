"""The server of the S2GOS walkthrough (seed 004): the S2GOS test service's demo
processes plus a stand-in for ``mtr_demo_generation``, which the walkthrough
describes (the real one renders 3D scenes; this one only names its output).

Serve it with ``eoproc-server run -- tests.client.seed_service:service``; the store
is ``EOPROC_STORE`` (a service object may not take the server's ``--store``).
"""

from __future__ import annotations

import os
from typing import Literal

from eoproc.jobs import LocalJobService
from eoproc.processes.demo import demo
from eoproc.processes.registry import ProcessRegistry
from s2gos_server.services.testing import DESCRIPTION, TITLE

registry = ProcessRegistry(list(demo))

Month = Literal["January", "June", "December"]


@registry.process(id="mtr_demo_generation")
def mtr_demo_generation(
    month: Month = "June",
    random_seed: int = 42,
    config_output_dir: str | None = None,
    scene_output_dir: str | None = None,
) -> str | None:
    """Generate 3D scene for MTR demo with seasonal variations.

    This processor:
    1. Creates a scene generation configuration based on season/month
    2. Immediately runs the generation pipeline
    3. Returns path to the generated scene description YAML
    """
    return f"{scene_output_dir or 'scenes'}/mtr_{month.lower()}_{random_seed}.yml"


service = LocalJobService(
    registry, store_url=os.environ.get("EOPROC_STORE"), title=TITLE, description=DESCRIPTION
)
