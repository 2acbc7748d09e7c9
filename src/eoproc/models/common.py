"""Links, landing page, conformance declaration and problem details."""

from __future__ import annotations

from pydantic import ConfigDict

from .base import OgcModel


class Link(OgcModel):
    """A web link (``link.yaml``)."""

    href: str
    rel: str | None = None
    type: str | None = None
    hreflang: str | None = None
    title: str | None = None


class LandingPage(OgcModel):
    """The landing page of a service (``landingPage.yaml``)."""

    title: str | None = None
    description: str | None = None
    links: list[Link]


class ConformanceDeclaration(OgcModel):
    """The conformance classes a service implements (``confClasses.yaml``)."""

    conformsTo: list[str]


class ApiError(OgcModel):
    """RFC 7807 problem details (``exception.yaml``); extra members are allowed.

    eoproc servers add ``traceback`` (a list of lines) only when run with ``--debug``.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: str
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None
    traceback: list[str] | None = None


class Capabilities(LandingPage):
    """The landing page as the clients return it (``client.get_capabilities()``).

    The same document as :class:`LandingPage`; its own name makes it show as
    ``Capabilities(title=..., ...)``, as the upstream clients print it.
    """


ProblemDetails = ApiError
