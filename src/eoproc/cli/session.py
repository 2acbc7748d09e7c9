"""What every command of one CLI invocation shares: the tool, its profile, flags."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UserError

if TYPE_CHECKING:
    from eoproc.client import Client, ClientConfig, ClientProfile

    ProfileSource = ClientProfile | Callable[[], ClientProfile] | None
else:
    ProfileSource = Any


@dataclass(frozen=True)
class CliSpec:
    """A branded command-line tool: its name, one-line summary, version and profile.

    ``profile`` may be a ``ClientProfile``, a function returning one (so that the
    client is imported only when a command needs it), or None for eoproc's own.
    """

    name: str
    summary: str
    version: str
    profile: ProfileSource = None

    def resolve_profile(self) -> ClientProfile:
        """The client profile of this tool."""
        from eoproc.client.profile import EOPROC_PROFILE, ClientProfile

        if self.profile is None:
            return EOPROC_PROFILE
        if isinstance(self.profile, ClientProfile):
            return self.profile
        return self.profile()


@dataclass(frozen=True)
class Session:
    """One invocation: the tool and the global options given before the command."""

    spec: CliSpec
    show_traceback: bool = False
    api_url: str | None = None
    """The global ``--api-url`` option (beats the environment and the config file)."""

    def load_config(
        self, config_path: Path | None, *, must_exist: bool = True, **overrides: Any
    ) -> ClientConfig:
        """The client configuration: options, environment, config file, defaults.

        A file given with ``--config`` must exist (unless ``must_exist`` is false, as
        for ``configure``, which writes it): a mistyped name is an error, not defaults.
        """
        from eoproc.client import ClientConfig

        if config_path is not None and must_exist and not config_path.expanduser().exists():
            raise UserError(f"Configuration file not found: {config_path}")

        if self.api_url and overrides.get("api_url") is None:
            overrides["api_url"] = self.api_url
        return ClientConfig.load(
            profile=self.spec.resolve_profile(), config_path=config_path, **overrides
        )

    @contextmanager
    def client(self, config_path: Path | None) -> Iterator[Client]:
        """A connected client, closed when the block ends."""
        from eoproc.client import Client

        with Client(self.load_config(config_path)) as client:
            yield client
