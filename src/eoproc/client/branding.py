"""Client classes of a branded tool, made from its :class:`ClientProfile`.

``branded_classes(profile)`` returns ``Client``, ``AsyncClient`` and
``ClientConfig`` subclasses whose defaults come from ``profile``: new classes
configured by an object, no class attribute of eoproc's own is changed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic_settings import SettingsConfigDict

from .async_client import AsyncClient
from .client import Client
from .config import ClientConfig
from .profile import ClientProfile


class BrandedClasses(NamedTuple):
    """The client classes of one profile."""

    Client: type[Client]
    AsyncClient: type[AsyncClient]
    ClientConfig: type[ClientConfig]


def branded_classes(profile: ClientProfile, module: str) -> BrandedClasses:
    """``Client``, ``AsyncClient`` and ``ClientConfig`` for ``profile``, defined in ``module``."""
    namespace: dict[str, Any] = {"__module__": module, "default_profile": profile}
    config_class = type(
        "ClientConfig",
        (ClientConfig,),
        {
            **namespace,
            "__doc__": f"Settings of the {profile.name} client "
            f"(``{profile.env_prefix}*`` environment, ``{profile.config_path}``).",
            "model_config": SettingsConfigDict(env_prefix=profile.env_prefix),
        },
    )
    clients = {
        "config_class": config_class,
        **namespace,
    }
    sync_class = type(
        "Client", (Client,), {**clients, "__doc__": f"A client of the {profile.name} service."}
    )
    async_class = type(
        "AsyncClient",
        (AsyncClient,),
        {**clients, "__doc__": f"An async client of the {profile.name} service."},
    )
    return BrandedClasses(sync_class, async_class, config_class)
