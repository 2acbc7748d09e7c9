"""``import eoproc.client`` is light: no server, no web framework, no database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "eoproc.server",
    "eoproc.jobs",
    # results as data: the data libraries come only when a result is opened
    "xarray",
    "pandas",
    "geopandas",
    "numpy",
    "PIL",
    "zarr",
    "fsspec",
)


def _loaded(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    [
        "import eoproc.client",
        "from eoproc.client import Client, AsyncClient, ClientConfig, ClientError",
        "from s2gos_client import Client, ProcessRequest; Client()",
        "from sen4cap_client import Client, AsyncClient, ClientConfig; ClientConfig.load()",
        "from eoproc.client import Client; from eoproc.openers import get_opener; "
        "get_opener('application/vnd+zarr'); Client(api_url='http://x/').http",
    ],
)
def test_client_imports_no_server(code: str) -> None:
    modules = _loaded(code)
    heavy = [m for m in modules if m in HEAVY or m.startswith(tuple(h + "." for h in HEAVY))]
    assert heavy == []


def test_import_is_lazy() -> None:
    modules = _loaded("import eoproc.client")
    assert "httpx" not in modules
    assert "pydantic_settings" not in modules
    assert "eoproc.client" in modules


def test_unknown_name_is_an_attribute_error() -> None:
    import eoproc.client

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        eoproc.client.Nope  # noqa: B018
    assert set(eoproc.client.__all__) <= set(dir(eoproc.client))
    json.dumps(eoproc.client.__all__)
