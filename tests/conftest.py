"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ogc_schemas import OgcSchemas, find_spec_dir


@pytest.fixture(scope="session")
def ogc_schemas() -> OgcSchemas:
    """The official OGC API - Processes 1.0 schemas (skips, or fails in CI, when absent)."""
    spec_dir = find_spec_dir()
    return OgcSchemas(spec_dir)


@pytest.fixture(scope="session")
def ogc_validate(ogc_schemas: OgcSchemas) -> Callable[[str, Any], None]:
    """``ogc_validate("statusInfo", payload)`` raises if the payload does not validate."""
    return ogc_schemas.validate
