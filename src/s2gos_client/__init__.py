"""The DTE-S2GOS client: eoproc's client with the S2GOS profile.

>>> from s2gos_client import Client, ProcessRequest
>>> client = Client()  # S2GOS_* environment, ~/.s2gos/config, http://127.0.0.1:8008/

Classes are created on first use, so importing the package stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eoproc.client.branding import profile_exports
from eoproc.client.profile import ClientProfile

if TYPE_CHECKING:
    from eoproc.client import AsyncClient, Client, ClientConfig
    from eoproc.models import ProcessRequest

PROFILE = ClientProfile(
    name="s2gos",
    env_prefix="S2GOS_",
    config_path=Path("~/.s2gos/config"),
    default_api_url="http://127.0.0.1:8008/",
)

__all__ = ["PROFILE", "AsyncClient", "Client", "ClientConfig", "ProcessRequest"]

__getattr__ = profile_exports(PROFILE, __name__)
