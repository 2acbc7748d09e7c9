"""Client classes of a branded tool, made from its :class:`ClientProfile`.

``branded_classes(profile)`` returns ``Client``, ``AsyncClient`` and
``ClientConfig`` subclasses whose defaults come from ``profile``: new classes
configured by an object, no class attribute of eoproc's own is changed.
``profile_exports`` makes them the lazy exports of a branded package
(``s2gos_client``); this module imports the clients only when they are asked for,
so that importing a branded package stays cheap.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .profile import ClientProfile

if TYPE_CHECKING:
    from .async_client import AsyncClient
    from .client import Client
    from .config import ClientConfig


class BrandedClasses(NamedTuple):
    """The client classes of one profile."""

    Client: type[Client]
    AsyncClient: type[AsyncClient]
    ClientConfig: type[ClientConfig]


def branded_classes(profile: ClientProfile, module: str) -> BrandedClasses:
    """``Client``, ``AsyncClient`` and ``ClientConfig`` for ``profile``, defined in ``module``."""
    from pydantic_settings import SettingsConfigDict

    from .async_client import AsyncClient
    from .client import Client
    from .config import ClientConfig

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
    clients = {"config_class": config_class, **namespace}
    sync_class = type(
        "Client", (Client,), {**clients, "__doc__": f"A client of the {profile.name} service."}
    )
    async_class = type(
        "AsyncClient",
        (AsyncClient,),
        {**clients, "__doc__": f"An async client of the {profile.name} service."},
    )
    return BrandedClasses(sync_class, async_class, config_class)


def profile_exports(profile: ClientProfile, module: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` exporting the client classes of ``profile`` on first use.

    ``Client``, ``AsyncClient`` and ``ClientConfig`` are made from ``profile`` when
    first asked for and cached in the module; ``ProcessRequest`` is eoproc's own.
    """

    def __getattr__(name: str) -> Any:
        namespace = vars(sys.modules[module])
        if name == "ProcessRequest":
            from eoproc.models import ProcessRequest

            return ProcessRequest
        if name in BrandedClasses._fields:
            classes = branded_classes(profile, module)._asdict()
            namespace.update(classes)
            return classes[name]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
