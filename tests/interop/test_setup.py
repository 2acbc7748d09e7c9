"""The interop servers are mandatory where ``EOPROC_REQUIRE_*`` says so (as in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eoproc.cli.commands.codegen import client_module
from eoproc.cli.session import CliSpec
from tests.interop.servers import venv_bin


def test_missing_server_skips_or_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EOPROC_PYGEOAPI_VENV", str(tmp_path / "nowhere"))
    monkeypatch.delenv("EOPROC_REQUIRE_PYGEOAPI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"setup-interop\.sh pygeoapi"):
        venv_bin("pygeoapi", "python", "EOPROC_REQUIRE_PYGEOAPI")
    monkeypatch.setenv("EOPROC_REQUIRE_PYGEOAPI", "1")
    with pytest.raises(pytest.fail.Exception, match="mandatory"):
        venv_bin("pygeoapi", "python", "EOPROC_REQUIRE_PYGEOAPI")


def test_setup_script_is_in_the_repository() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "setup-interop.sh"
    text = script.read_text(encoding="utf-8")
    assert "pip install" in text and ".venv-pygeoapi" in text and ".venv-wraptile" in text


def test_generated_clients_extend_the_tools_own_client() -> None:
    assert client_module(CliSpec("sen4cap-client", "", "1")) == "sen4cap_client"
    assert client_module(CliSpec("s2gos-client", "", "1")) == "s2gos_client"
    assert client_module(CliSpec("eoproc", "", "1")) == "eoproc.client"
