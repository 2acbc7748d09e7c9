"""The browser UI of the server: the HTML conformance class of OGC API - Processes.

Every resource of the API answers ``text/html`` when a browser asks for it
(``Accept``, or ``?f=html``): :class:`HtmlPages` renders the resource's JSON
answer with one Jinja template per resource. The process page has an execute
form generated from the input schemas; the job page follows the job live.
Scripts and styles are package data served at ``/ui/static/``; nothing comes
from the internet, and the pages run under a strict Content-Security-Policy.
"""

from __future__ import annotations

from .middleware import CSP, STATIC_PREFIX, HtmlPages, match_page
from .negotiation import wants_html
from .openapi import add_html

__all__ = ["CSP", "STATIC_PREFIX", "HtmlPages", "add_html", "match_page", "wants_html"]
