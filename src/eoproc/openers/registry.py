"""The opener registry: built-in openers, entry points ``eoproc.openers``, and yours."""

from __future__ import annotations

import logging
import threading
from importlib.metadata import entry_points
from typing import Any

from .base import NoOpenerError, Opener, ResultSource, essence, missing_modules

ENTRY_POINT_GROUP = "eoproc.openers"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_openers: list[Opener] = []
_loaded = False


def register_opener(opener: Opener, *, first: bool = True) -> Opener:
    """Add an opener; with ``first`` (default) it wins over those registered before."""
    if not isinstance(opener, Opener):
        raise TypeError(f"{opener!r} is not an Opener (name, media_types, open, ...)")
    with _lock:
        if first:
            _openers.insert(0, opener)
        else:
            _openers.append(opener)
    return opener


def unregister_opener(opener: Opener) -> None:
    """Remove an opener registered before."""
    with _lock:
        if opener in _openers:
            _openers.remove(opener)


def _load() -> None:
    """Register the built-in openers, then those of the ``eoproc.openers`` entry points."""
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
    from .builtin import BUILTIN_OPENERS

    for opener in BUILTIN_OPENERS:
        register_opener(opener, first=False)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            found = entry.load()
            register_opener(found() if isinstance(found, type) else found)
        except Exception as error:  # a broken plug-in must not break the others
            log.warning("cannot load the opener %s (%s): %s", entry.name, entry.value, error)


def openers() -> list[Opener]:
    """Every opener, in the order they are tried."""
    _load()
    with _lock:
        return list(_openers)


def _takes(opener: Opener, media_type: str) -> bool:
    kind = media_type.partition("/")[0]
    return any(
        pattern == media_type or pattern == f"{kind}/*" or pattern == "*/*"
        for pattern in opener.media_types
    )


def get_opener(media_type: str) -> Opener:
    """The first opener of ``media_type`` whose libraries are installed.

    Raises :class:`NoOpenerError` naming the media type, and the missing
    libraries and extra when an opener fits but cannot run here.
    """
    wanted = essence(media_type)
    fitting = [opener for opener in openers() if _takes(opener, wanted)]
    for opener in fitting:
        if not missing_modules(opener):
            return opener
    if fitting:
        raise NoOpenerError(
            media_type, missing=missing_modules(fitting[0]), extra=fitting[0].extra or "data"
        )
    raise NoOpenerError(media_type)


def open_source(source: ResultSource, **kwargs: Any) -> Any:
    """Open ``source`` with the opener of its media type."""
    return get_opener(source.media_type).open(source, **kwargs)
