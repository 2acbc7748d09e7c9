"""Which representation a request wants: ``?f=html|json`` first, then ``Accept``.

HTML is chosen only when asked for explicitly (``f=html``, or ``text/html``
with a higher quality than JSON in ``Accept``): ``*/*``, no ``Accept`` and
ties answer JSON, the standard's mandatory encoding, so API clients and the
conformance probes see exactly the JSON they always saw.
"""

from __future__ import annotations

HTML = "text/html"
FORMATS = ("json", "html")
"""The values of the ``f`` parameter."""
JSON_TYPES = ("application/json", "application/*", "*/*")


def _qualities(accept: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found[media.lower()] = max(quality, found.get(media.lower(), 0.0))
    return found


def wants_html(accept: str | None, f: str | None) -> bool:
    """Whether to answer HTML, given the ``Accept`` header and the ``f`` parameter."""
    if f is not None:
        return f == "html"
    if not accept:
        return False
    qualities = _qualities(accept)
    html = qualities.get(HTML, 0.0)
    json = max((qualities.get(media, 0.0) for media in JSON_TYPES), default=0.0)
    return html > 0.0 and html > json
