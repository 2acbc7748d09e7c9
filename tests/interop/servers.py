"""Other OGC API - Processes servers, run on loopback for the interop tests.

pygeoapi and wraptile live in their own virtual environments (pygeoapi needs
Python >= 3.12; wraptile brings eozilla's ``gavicore``, which must not meet
ours), made by ``scripts/setup-interop.sh``. Where one is missing the tests
skip, unless ``EOPROC_REQUIRE_PYGEOAPI=1`` / ``EOPROC_REQUIRE_WRAPTILE=1``
(as ``.ci/run`` sets them): then they fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from tests.live_server import REPO_ROOT, free_port

READY_TIMEOUT = 60.0

PYGEOAPI_CONFIG = """\
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {{default_items: 20, max_items: 50}}
  map: {{url: 'https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png', attribution: OSM}}
  manager:
    name: TinyDB
    connection: {directory}/jobs.db
    output_dir: {directory}/out/
logging: {{level: ERROR}}
metadata:
  identification:
    title: pygeoapi for the eoproc interop tests
    description: The demo processes hello-world and echo
    keywords: [processes]
    keywords_type: theme
    terms_of_service: https://creativecommons.org/licenses/by/4.0/
    url: https://example.org
  license: {{name: CC-BY 4.0 license, url: 'https://creativecommons.org/licenses/by/4.0/'}}
  provider: {{name: eoproc, url: 'https://example.org'}}
  contact:
    name: eoproc
    position: tests
    address: none
    city: none
    stateorprovince: none
    postalcode: '0'
    country: none
    phone: '+0'
    fax: '+0'
    email: none@example.org
    url: https://example.org
    hours: always
    instructions: none
    role: pointOfContact
resources:
  hello-world:
    type: process
    processor: {{name: HelloWorld}}
  echo:
    type: process
    processor: {{name: Echo}}
"""

_FLASK = (
    "import sys\n"
    "from pygeoapi.flask_app import APP\n"
    "APP.run(host='127.0.0.1', port=int(sys.argv[1]), debug=False, threaded=True,"
    " use_reloader=False)\n"
)


def venv_bin(name: str, program: str, require_env: str) -> Path:
    """``.venv-NAME/bin/PROGRAM`` of the repository; skip (or fail if required) without it."""
    root = Path(os.environ.get(f"EOPROC_{name.upper()}_VENV") or REPO_ROOT / f".venv-{name}")
    path = root / "bin" / program
    if not path.exists():
        reason = f"{name} is not installed in {root}: run scripts/setup-interop.sh {name}"
        if os.environ.get(require_env) == "1":
            pytest.fail(f"{reason} ({require_env}=1 makes this test mandatory)")
        pytest.skip(reason)
    return path


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without our PYTHONPATH (the other server has its own packages)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


@contextmanager
def _serve(command: Sequence[str], url: str, ready: str, log: Path, **env: str) -> Iterator[str]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_clean_env(**env),
            cwd=log.parent,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {log.read_text(errors='replace')}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{url}{ready}", timeout=2.0).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start: {log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def run_pygeoapi(directory: Path) -> Iterator[str]:
    """A real pygeoapi (Flask, TinyDB job manager) on a free port; its URL with ``/``."""
    python = venv_bin("pygeoapi", "python", "EOPROC_REQUIRE_PYGEOAPI")
    port = free_port()
    (directory / "out").mkdir(parents=True, exist_ok=True)
    config = directory / "pygeoapi-config.yml"
    config.write_text(PYGEOAPI_CONFIG.format(port=port, directory=directory), encoding="utf-8")
    openapi = directory / "pygeoapi-openapi.yml"
    generate = [str(python.parent / "pygeoapi"), "openapi", "generate", str(config)]
    subprocess.run(
        [*generate, "--output-file", str(openapi)],
        check=True,
        capture_output=True,
        env=_clean_env(PYGEOAPI_CONFIG=str(config)),
        timeout=120,
    )
    url = f"http://127.0.0.1:{port}"
    with _serve(
        [str(python), "-c", _FLASK, str(port)],
        url,
        "/conformance?f=json",
        directory / "pygeoapi.log",
        PYGEOAPI_CONFIG=str(config),
        PYGEOAPI_OPENAPI=str(openapi),
    ):
        yield f"{url}/"


@contextmanager
def run_wraptile(directory: Path) -> Iterator[str]:
    """A real wraptile with its local test service on a free port; its URL with ``/``."""
    program = venv_bin("wraptile", "wraptile", "EOPROC_REQUIRE_WRAPTILE")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(program), "run", "--host", "127.0.0.1", "--port", str(port)]
    command += ["wraptile.services.local.testing:service"]
    directory.mkdir(parents=True, exist_ok=True)
    with _serve(command, url, "/conformance", directory / "wraptile.log"):
        yield f"{url}/"
