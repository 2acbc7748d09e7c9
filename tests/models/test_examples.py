"""Every example payload of the standard parses, round-trips and validates again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eoproc.models import (
    ConformanceDeclaration,
    ExecuteRequest,
    JobList,
    JobResults,
    LandingPage,
    OgcModel,
    ProcessDescription,
    ProcessList,
    StatusInfo,
)
from tests.ogc_schemas import OgcSchemas

EXAMPLES: list[tuple[str, type[OgcModel] | type[JobResults], str]] = [
    ("ConfClasses.json", ConformanceDeclaration, "confClasses"),
    ("Execute.json", ExecuteRequest, "execute"),
    ("JobList.json", JobList, "jobList"),
    ("LandingPage.json", LandingPage, "landingPage"),
    ("ProcessDescription.json", ProcessDescription, "process"),
    ("ProcessList.json", ProcessList, "processList"),
    ("Result.json", JobResults, "results"),
    ("StatusInfo.json", StatusInfo, "statusInfo"),
    ("StatusInfo-dismissed.json", StatusInfo, "statusInfo"),
]


def _add_type(node: Any) -> Any:
    """The examples omit the required ``type`` of status info; our writers add it."""
    if isinstance(node, dict):
        node = {key: _add_type(value) for key, value in node.items()}
        if "jobID" in node and "status" in node:
            node.setdefault("type", "process")
    elif isinstance(node, list):
        node = [_add_type(item) for item in node]
    return node


def _normalise_times(node: Any) -> Any:
    """Compare date-times by instant: ``+00:00`` and ``Z`` are the same."""
    if isinstance(node, dict):
        return {key: _normalise_times(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_normalise_times(item) for item in node]
    if isinstance(node, str) and node.endswith("+00:00"):
        return node[: -len("+00:00")] + "Z"
    return node


@pytest.mark.parametrize(("file_name", "model", "schema"), EXAMPLES)
def test_example_round_trips_and_validates(
    ogc_schemas: OgcSchemas, file_name: str, model: type[OgcModel], schema: str
) -> None:
    original = json.loads((ogc_schemas.examples_dir / file_name).read_text(encoding="utf-8"))
    parsed = model.model_validate(original)
    dumped = parsed.to_dict()
    assert _normalise_times(dumped) == _normalise_times(_add_type(original))
    ogc_schemas.validate(schema, dumped)
    assert model.model_validate(dumped).to_dict() == dumped


def test_every_example_is_covered(ogc_schemas: OgcSchemas) -> None:
    covered = {file_name for file_name, _, _ in EXAMPLES}
    assert {path.name for path in ogc_schemas.examples_dir.glob("*.json")} == covered
