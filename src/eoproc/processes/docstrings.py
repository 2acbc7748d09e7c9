"""The description of a process, taken from its function's docstring."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Params|Returns|Return|Yields|Raises|Examples?|Notes?|"
    r"Attributes|See Also|Warnings?|References)\s*:?\s*$"
)
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")


def docstring_description(function: Callable[..., Any]) -> str | None:
    """The docstring's text before its first section (``Args:``, ``Returns:``, ...).

    Lines of a paragraph are joined with spaces, paragraphs with a blank line,
    so a wrapped docstring reads as flowing text. ``None`` if there is no docstring.
    """
    doc = inspect.getdoc(function)
    if not doc:
        return None
    lines = doc.splitlines()
    paragraphs: list[list[str]] = [[]]
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _SECTION.match(line.strip()) or (line.strip() and _UNDERLINE.match(following)):
            break
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    text = "\n\n".join(" ".join(words) for words in paragraphs if words)
    return text or None
