"""``mtr_demo_generation``: the scene generation process the S2GOS walkthrough shows.

It writes what the real DTE-S2GOS processor writes first (a generation configuration
derived from the month, and a scene description), without rendering the 3D scene.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from eoproc.processes.context import JobContext

DESCRIPTION = """\
Generate 3D scene for MTR demo with seasonal variations.

This processor:
1. Creates a scene generation configuration based on season/month
2. Immediately runs the generation pipeline
3. Returns path to generated scene description YAML

The scene includes:
- PNP location with 10km target area
- Seasonal vegetation (summer/winter variants)
- Heterogeneous atmosphere with aerosol layer
- Tower XML scene at fixed location
- Optional snow cover (June only)

Args:
    month: Month for simulation (controls seasonal variations)
    random_seed: Random seed for reproducible vegetation placement
    config_output_dir: Optional directory for generation config JSON
    scene_output_dir: Optional directory for scene description YAML

Returns:
    Path to generated scene description YAML file, or None if validation fails"""

SUMMER_MONTHS = range(4, 10)
"""Months with the summer vegetation variant."""


def _relative_dir(path: str | None) -> str | None:
    if path is not None:
        pure = PurePosixPath(path.replace("\\", "/"))
        if not path or pure.is_absolute() or ".." in pure.parts or ":" in path:
            raise ValueError("must be a relative directory inside the job's output directory")
    return path


RelativeDir = Annotated[str | None, AfterValidator(_relative_dir)]


def scene_config(month: int, random_seed: int) -> dict[str, Any]:
    """The generation configuration of the MTR demo scene for ``month``."""
    season = "summer" if month in SUMMER_MONTHS else "winter"
    return {
        "location": {"name": "PNP", "target_area_km": 10},
        "month": month,
        "season": season,
        "vegetation": {"variant": season, "random_seed": random_seed},
        "atmosphere": {"type": "heterogeneous", "aerosol_layer": True},
        "tower": {"scene": "tower.xml", "fixed_location": True},
        "snow_cover": month == 6,
    }


def scene_yaml(config: dict[str, Any], config_path: str) -> str:
    """The scene description (YAML) of a generation configuration."""
    import yaml

    scene = {
        "scene": {
            "name": f"mtr_demo_{config['season']}_{config['month']:02d}",
            "generated_from": config_path,
            **config,
        }
    }
    text: str = yaml.safe_dump(scene, sort_keys=False)
    return text


def mtr_demo_generation(
    month: Annotated[int, Field(ge=1, le=12)] = 6,
    random_seed: int = 42,
    config_output_dir: RelativeDir = None,
    scene_output_dir: RelativeDir = None,
) -> str | None:
    ctx = JobContext.current()
    ctx.progress(0, "Creating the scene generation configuration")
    config = scene_config(month, random_seed)
    config_path = PurePosixPath(config_output_dir or "config") / f"mtr_demo_{month:02d}.json"
    scene_path = PurePosixPath(scene_output_dir or "scenes") / f"mtr_demo_{month:02d}.yaml"
    for path, text in (
        (config_path, json.dumps(config, indent=2)),
        (scene_path, scene_yaml(config, config_path.as_posix())),
    ):
        target = ctx.output_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    ctx.progress(100, "Scene description written")
    return scene_path.as_posix()
