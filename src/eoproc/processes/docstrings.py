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


_ARGS_HEADER = re.compile(r"^(Args|Arguments|Parameters|Params)\s*:?\s*$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")


def docstring_arguments(function: Callable[..., Any]) -> dict[str, str]:
    """The descriptions of the parameters in the ``Args:`` section (Google or NumPy style)."""
    lines = (inspect.getdoc(function) or "").splitlines()
    start = next((i for i, line in enumerate(lines) if _ARGS_HEADER.match(line.strip())), None)
    if start is None:
        return {}
    numpy = start + 1 < len(lines) and bool(_UNDERLINE.match(lines[start + 1]))
    body = lines[start + (2 if numpy else 1) :]
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    entry_indent: int | None = None
    for line in body:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if entry_indent is None:
            entry_indent = indent
        if indent < entry_indent or (indent == entry_indent and _SECTION.match(line.strip())):
            break
        if indent == entry_indent:
            match = (_NUMPY_ENTRY if numpy else _GOOGLE_ENTRY).match(line.strip())
            if match is None:
                break
            current = entries.setdefault(match.group(1), [])
            if not numpy and match.group(2):
                current.append(match.group(2))
        elif current is not None:
            current.append(line.strip())
    return {name: " ".join(words) for name, words in entries.items() if words}
