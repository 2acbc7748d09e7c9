"""What an opener is: a media type -> a Python object, from a result's source."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ResultSource:
    """Where one output of a job is, as an opener gets it.

    ``url`` is the output's absolute URL (``None`` for a value given inline);
    ``headers`` must go with every request to it (credentials); ``content``
    holds the downloaded bytes unless the opener streams (reads ``url`` itself);
    ``value`` is a JSON value given inline.
    """

    media_type: str
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes | None = None
    value: Any = None
    name: str = ""
    """The output id."""

    @property
    def essence(self) -> str:
        """The media type without parameters, lower case (``text/csv``)."""
        return essence(self.media_type)


def essence(media_type: str) -> str:
    """``"Text/CSV; charset=utf-8"`` -> ``"text/csv"``."""
    return media_type.split(";", 1)[0].strip().lower()


@runtime_checkable
class Opener(Protocol):
    """Opens the outputs of some media types (see :class:`FunctionOpener`)."""

    @property
    def name(self) -> str:
        """A short name (``"zarr"``)."""

    @property
    def media_types(self) -> tuple[str, ...]:
        """Media types (``type/subtype``, or ``type/*``) this opener takes."""

    @property
    def requires(self) -> tuple[str, ...]:
        """Modules it imports (checked before opening, for a clear error)."""

    @property
    def extra(self) -> str:
        """The ``eoproc`` extra that installs them."""

    @property
    def streams(self) -> bool:
        """It reads ``source.url`` itself (lazily); otherwise it gets ``source.content``."""

    def open(self, source: ResultSource, **kwargs: Any) -> Any:
        """The Python object of ``source``; ``kwargs`` go to the library's reader."""
        ...


@dataclass(frozen=True)
class FunctionOpener:
    """An :class:`Opener` made of a function ``open(source, **kwargs)``."""

    name: str
    media_types: tuple[str, ...]
    function: Callable[..., Any]
    requires: tuple[str, ...] = ()
    extra: str = "data"
    streams: bool = False

    def open(self, source: ResultSource, **kwargs: Any) -> Any:
        return self.function(source, **kwargs)


def missing_modules(opener: Opener) -> list[str]:
    """The modules ``opener`` needs that are not installed."""
    return [name for name in opener.requires if importlib.util.find_spec(name) is None]


class NoOpenerError(LookupError):
    """No opener fits a media type, or the one that does lacks its libraries."""

    def __init__(self, media_type: str, *, missing: list[str] | None = None, extra: str = "data"):
        self.media_type = media_type
        self.missing = list(missing or [])
        self.extra = extra
        if self.missing:
            message = (
                f"Opening a result of media type {media_type!r} needs "
                f"{', '.join(self.missing)}: pip install 'eoproc[{extra}]'"
            )
        else:
            message = (
                f"No opener for media type {media_type!r}. Install the extra that brings "
                f"one (pip install 'eoproc[{extra}]' covers xarray, pandas, geopandas, images "
                "and numpy), register one with eoproc.openers.register_opener, or download "
                "the output with download_results"
            )
        super().__init__(message)
