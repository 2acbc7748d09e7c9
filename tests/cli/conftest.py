"""Run the installed console scripts as a user would, against a real server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.live_server import LiveServer

PROFILE_PREFIXES = ("EOPROC_", "SEN4CAP_", "S2GOS_")
TIMEOUT = 120.0


def script_path(name: str) -> str:
    """The installed console script beside this interpreter (not a pyenv shim)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    assert found, f"{name} is not installed: pip install -e ."
    return found


@dataclass
class Result:
    """What one run of a console script did."""

    args: list[str]
    code: int
    stdout: str
    stderr: str

    def yaml(self) -> Any:
        """stdout parsed as YAML."""
        return yaml.safe_load(self.stdout)

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return (
            f"$ {' '.join(self.args)}\nexit code {self.code}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user with an empty home, no profile variables and no keyring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROFILE_PREFIXES)}
    for name in ("PYTHONIOENCODING", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    env.update(extra)
    return env


Runner = Callable[..., Result]


def make_runner(home: Path, **base_env: str) -> Runner:
    """``run("list-processes", "-f", "json", env={...}, input="...")`` -> Result."""

    def run(
        *args: str,
        script: str = "sen4cap-client",
        env: dict[str, str] | None = None,
        input: str | None = None,
        encoding: str = "utf-8",
    ) -> Result:
        command = [script_path(script), *args]
        full_env = clean_env(home, **base_env)
        full_env.update(env or {})
        done = subprocess.run(
            command,
            env=full_env,
            input=input.encode("utf-8") if input is not None else None,  # files are UTF-8
            capture_output=True,
            timeout=TIMEOUT,
            cwd=home,
            stdin=subprocess.DEVNULL if input is None else None,
        )
        return Result(
            [Path(command[0]).name, *args],
            done.returncode,
            done.stdout.decode(encoding),
            done.stderr.decode(encoding),
        )

    return run


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home directory for the user of the CLI."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def cli(home: Path, live_server: LiveServer) -> Runner:
    """Run ``sen4cap-client`` (or ``script=``) against the shared live server."""
    return make_runner(
        home,
        SEN4CAP_API_URL=live_server.url,
        S2GOS_API_URL=live_server.url,
        EOPROC_API_URL=live_server.url,
    )


@pytest.fixture
def offline_cli(home: Path) -> Runner:
    """Run the CLI without a server (for help, usage errors, configuration)."""
    return make_runner(home)
