"""What the sync and async clients share: configuration, core, repr."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .commands import RetryPolicy
from .config import ClientConfig
from .core import ApiCore
from .profile import EOPROC_PROFILE, ClientProfile

if TYPE_CHECKING:
    pass


class BaseClient:
    """Configuration and the sans-IO core of a client; no I/O here.

    Subclasses for a branded tool set ``default_profile`` and ``config_class``.
    """

    default_profile: ClassVar[ClientProfile] = EOPROC_PROFILE
    config_class: ClassVar[type[ClientConfig]] = ClientConfig

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        api_url: str | None = None,
        profile: ClientProfile | None = None,
        config_path: str | Path | None = None,
        **overrides: Any,
    ) -> None:
        if config is None:
            config = self.config_class.load(
                profile=profile or self.default_profile,
                config_path=config_path,
                api_url=api_url,
                **overrides,
            )
        else:
            update = config.check_overrides({"api_url": api_url, **overrides})
            if update:
                config = config.updated(update)
        self.config: ClientConfig = config
        self._core = ApiCore(RetryPolicy(config.retries, config.backoff_factor, config.backoff_max))
        _register_html_formatters()

    @property
    def api_url(self) -> str:
        """The server's API URL."""
        return self.config.api_url

    def _user_agent(self) -> str:
        from eoproc import __version__

        agent = self.config.profile.user_agent or f"{self.config.profile.name}-client"
        return f"{agent}/{__version__} (eoproc)"

    def _auth(self) -> Any:
        from .auth import build_auth

        if self.config.auth.type == "none":  # a session of `login`, if there is one
            return _login_session_auth(self.config)
        return build_auth(self.config.auth, self.config.api_url)

    def __repr__(self) -> str:
        auth = self.config.auth.type
        return (
            f"{type(self).__name__}(api_url={self.config.api_url!r}, "
            f"profile={self.config.profile.name!r}, auth={auth!r})"
        )

    def _repr_html_(self) -> str:
        from .html import client_html

        return client_html(type(self).__name__, self.config)


def _login_session_auth(config: ClientConfig) -> Any:
    from .credentials import CredentialStore

    store = CredentialStore(config.profile)
    session = store.load(config.api_url)
    if session is None:
        return None
    from .login import session_auth
    from .origins import SameOriginAuth

    return SameOriginAuth(session_auth(store, config.api_url, session), config.api_url)


def _register_html_formatters() -> None:
    """Tables for process lists, job lists and job status in a running IPython."""
    import sys

    if "IPython" not in sys.modules:
        return
    from .html import register_ipython_formatters

    register_ipython_formatters()
