"""``eoproc-server run`` as a new user meets it (issue 14): the console script, started
in the folder of the user's module, with a plain file as the store; it says where it
serves, and its API documentation works without the internet."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx

from tests.cli.conftest import script_path
from tests.live_server import run_server

MODULE = '''\
from eoproc.processes import ProcessRegistry

registry = ProcessRegistry()


@registry.process
def shout(text: str = "hello") -> str:
    """Upper-cases a text."""
    return text.upper()
'''


def test_run_a_module_of_the_working_directory_on_a_plain_store_file(tmp_path: Path) -> None:
    (tmp_path / "mymodule.py").write_text(MODULE, encoding="utf-8")
    with run_server(
        tmp_path / "logs" / "server.db",
        "--workers",
        "1",
        service="mymodule:registry",
        store_url="jobs.db",  # a plain file path, relative to the working directory
        script=script_path("eoproc-server"),
        cwd=tmp_path,
    ) as server:
        with server.client(timeout=30) as http:
            assert [p["id"] for p in http.get("/processes").json()["processes"]] == ["shout"]
            answer = http.post("/processes/shout/execution", json={"inputs": {"text": "hi"}})
            assert answer.json() == {"return_value": "HI"}, answer.text

            page = http.get("/docs")
            assert page.status_code == 200
            assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            assert assets and all(url.startswith("/docs/static/") for url in assets), assets
            assert "cdn" not in page.text.lower() and "https://" not in page.text
            for url in assets:
                asset = http.get(url)
                assert asset.status_code == 200 and len(asset.content) > 100, url
        log = server.log()
    assert (tmp_path / "jobs.db").is_file()
    assert f"on {server.url}/ " in log, log  # the URL it serves, as uvicorn logs its own
    assert "Serving eoproc on http://127.0.0.1:" in log, log


def test_help_says_where_service_modules_are_found() -> None:
    import subprocess

    done = subprocess.run(
        [script_path("eoproc-server"), "run", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200", "TERM": "dumb"},
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "working directory" in text and "--app-dir" in text, text
    assert "--job-control" in text and "--job-ids" in text


def test_redirected_docs_assets_are_public_with_authentication(tmp_path: Path) -> None:
    from eoproc.server.auth import hash_key, new_key

    key = hash_key(new_key())
    with run_server(tmp_path / "jobs.db", "--workers", "1", "--api-key", f"{key}:ann") as server:
        assert httpx.get(f"{server.url}/docs").status_code == 200
        assert httpx.get(f"{server.url}/docs/static/swagger-ui.css").status_code == 200
        assert httpx.get(f"{server.url}/redoc").status_code == 200
        redoc = httpx.get(f"{server.url}/redoc/static/redoc.standalone.js")
        assert redoc.status_code == 200 and "javascript" in redoc.headers["content-type"]
        assert httpx.get(f"{server.url}/jobs").status_code == 401
