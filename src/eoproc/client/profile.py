"""Client profiles: the branding of one client tool (env prefix, config file, defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "http://127.0.0.1:8008/"


@dataclass(frozen=True)
class ClientProfile:
    """Where a client tool finds its configuration.

    ``name`` names the tool (also the keyring service ``eoproc:<name>``),
    ``env_prefix`` prefixes its environment variables (``EOPROC_API_URL``),
    ``config_path`` is its YAML configuration file (``~`` is expanded).
    """

    name: str = "eoproc"
    env_prefix: str = "EOPROC_"
    config_path: Path = field(default_factory=lambda: Path("~/.eoproc/config"))
    default_api_url: str = DEFAULT_API_URL
    user_agent: str | None = None

    @property
    def config_file(self) -> Path:
        """The configuration file path with ``~`` expanded."""
        return Path(self.config_path).expanduser()

    @property
    def keyring_service(self) -> str:
        """The OS keyring service name under which this tool's secrets are kept."""
        return f"eoproc:{self.name}"


EOPROC_PROFILE = ClientProfile()
