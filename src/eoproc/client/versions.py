"""Which version of OGC API - Processes a server speaks (1.0 or 2.0), and what differs.

The version is read from the conformance declaration (``…/ogcapi-processes-1/2.0/conf/…``).
What the client adapts for 2.0:

- status info with ``id`` instead of ``jobID`` and ``processID`` as a URI: read by
  :class:`eoproc.models.StatusInfo` itself (see :func:`eoproc.models.job.status_document`);
- results: every request for results asks for the ``ogc-results`` profile
  (:data:`RESULTS_HEADERS`), so that a 2.0 server answers a results document even for
  one output (1.0 servers ignore the header);
- the execute request has no ``response`` member in 2.0: a ``response`` given to
  :meth:`~eoproc.client.Client.execute_process` becomes profile negotiation instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

ApiVersion = Literal["1.0", "2.0"]

OGC_RESULTS_PROFILE = "https://www.opengis.net/def/profile/OGC/0/ogc-results"
"""The profile of a results document (OGC API - Processes 2.0, ``results.yaml``)."""

RESULTS_HEADERS: dict[str, str] = {
    "Accept": "application/json",
    "Accept-Profile": f"<{OGC_RESULTS_PROFILE}>",
}
"""Headers that ask for a results document (not one output's raw content)."""

_CONF_PREFIX = "http://www.opengis.net/spec/ogcapi-processes-1/"


def version_of(conformance: Iterable[str]) -> ApiVersion:
    """``"2.0"`` if the server declares a 2.0 class of Part 1, else ``"1.0"``."""
    for uri in conformance:
        tail = uri.replace("https://", "http://", 1)
        if tail.startswith(_CONF_PREFIX) and tail[len(_CONF_PREFIX) :].startswith("2."):
            return "2.0"
    return "1.0"


def request_for(
    version: ApiVersion, body: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The execute request body for ``version`` and the headers that go with it.

    1.0 keeps ``response``; 2.0 has none: ``"raw"`` asks for no profile (one
    output's content), anything else for the ``ogc-results`` profile.
    """
    document = dict(body)
    if version == "1.0":
        return document, ({} if document.get("response") == "raw" else dict(RESULTS_HEADERS))
    response = document.pop("response", None)
    return document, ({} if response == "raw" else dict(RESULTS_HEADERS))
