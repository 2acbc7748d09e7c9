"""The Sen4CAP client: eoproc's client with the Sen4CAP profile.

>>> from sen4cap_client import Client, ProcessRequest
>>> client = Client()  # SEN4CAP_* environment, ~/.sen4cap/config, http://127.0.0.1:8008/

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
    name="sen4cap",
    env_prefix="SEN4CAP_",
    config_path=Path("~/.sen4cap/config"),
    default_api_url="http://127.0.0.1:8008/",
)

__all__ = ["PROFILE", "AsyncClient", "Client", "ClientConfig", "ProcessRequest"]

__getattr__ = profile_exports(PROFILE, __name__)
