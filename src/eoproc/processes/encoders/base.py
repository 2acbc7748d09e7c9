"""What an encoder is, and how a value or a type hint finds its encoder.

Types are recognised by the names of their classes (``xarray.Dataset``,
``pandas.DataFrame``, ...), so that no optional library is imported until a
process really returns one of its objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

Writer = Callable[[Any, Path, str], Path]
"""``write(value, stem, media_type)``: write ``value`` next to ``stem`` (no suffix); the path."""


@dataclass(frozen=True)
class Encoder:
    """How the values of one kind of type become a file (or a JSON value).

    ``classes`` are ``"package.ClassName"`` names matched against a type's
    bases (``package`` is the top-level module); ``media_types`` are the
    encodings offered, the default first; ``json_media_types`` are those that
    give a JSON value instead of a file.
    """

    kind: str
    classes: tuple[str, ...]
    media_types: tuple[str, ...]
    write: Writer
    json_media_types: tuple[str, ...] = ()
    to_json: Callable[[Any], Any] | None = None
    extra: str = "data"
    """The ``eoproc`` extra that installs what :attr:`write` needs."""
    any_media_type: bool = False
    """The process may declare any media type (bytes and files are written as they are)."""

    def matches(self, cls: type) -> bool:
        return bool(self.classes) and not _class_names(cls).isdisjoint(self.classes)

    def offers(self, media_type: str) -> bool:
        return (
            self.any_media_type
            or media_type in self.media_types
            or media_type in self.json_media_types
        )


def _class_names(cls: type) -> set[str]:
    names = set()
    for base in getattr(cls, "__mro__", (cls,)):
        module = getattr(base, "__module__", "") or ""
        names.add(f"{module.partition('.')[0]}.{base.__name__}")
    return names


_ENCODERS: list[Encoder] = []


def register_encoder(encoder: Encoder) -> Encoder:
    """Add an encoder; later registrations win over earlier ones for the same type."""
    _ENCODERS.insert(0, encoder)
    return encoder


def encoders() -> list[Encoder]:
    """Every encoder, most specific (latest registered) first."""
    return list(_ENCODERS)


def encoder_for_type(cls: Any) -> Encoder | None:
    """The encoder of values of type ``cls`` (``None``: a JSON value)."""
    if not isinstance(cls, type):
        return None
    for encoder in _ENCODERS:
        if encoder.kind == "path":
            if issubclass(cls, PurePath):
                return encoder
        elif encoder.kind == "bytes":
            if issubclass(cls, bytes | bytearray | memoryview):
                return encoder
        elif encoder.matches(cls):
            return encoder
    return None


def encoder_for_value(value: Any) -> Encoder | None:
    """The encoder of ``value`` (``None``: a JSON value)."""
    return encoder_for_type(type(value))
