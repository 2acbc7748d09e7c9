"""The demo processes plus one whose title and description hold markup (escaping test).

Served by the UI tests as ``tests.ui.procs:registry``.
"""

from __future__ import annotations

from eoproc.processes import ProcessRegistry
from eoproc.processes.demo import demo

registry = ProcessRegistry(list(demo))

EVIL_TITLE = "<script>window.pwned = true</script><b>Bold</b> & co"


@registry.process(title=EVIL_TITLE)
def evil(text: str = "<img src=x onerror=alert(1)>") -> str:
    """Returns <script>alert("text")</script> unchanged."""
    return text
