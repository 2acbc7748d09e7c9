"""Inputs given by reference: find the links among the inputs and fetch them.

An input value (or an item of an input's array) that is a link object,
``{"href": ..., "type": ...}`` with no member but those of ``link.yaml``, is
replaced by the fetched content as a qualified value
(``{"value": ..., "mediaType": ...}``) before the job is created. A reference
that cannot (or may not) be fetched makes the request invalid (400), naming
the input. The references of one request are fetched concurrently, so the
request waits at most one fetch time limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from ..service import InvalidInput
from .fetch import FetchError, ReferenceFetcher
from .netpolicy import ForbiddenAddress

LINK_MEMBERS = frozenset({"href", "rel", "type", "hreflang", "title", "length"})
MAX_REFERENCES = 20


def is_reference(value: Any) -> bool:
    """Whether an input value is a link to fetch."""
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("href"), str)
        and set(value) <= LINK_MEMBERS
    )


async def resolve_references(
    inputs: Mapping[str, Any], fetcher: ReferenceFetcher
) -> Mapping[str, Any]:
    """``inputs`` with every reference fetched (the same object if there is none)."""
    places: list[tuple[str, int | None, str]] = []
    for name, value in inputs.items():
        if is_reference(value):
            places.append((name, None, value["href"]))
        elif isinstance(value, list):
            places.extend((name, i, v["href"]) for i, v in enumerate(value) if is_reference(v))
    if not places:
        return inputs
    if len(places) > MAX_REFERENCES:
        message = f"at most {MAX_REFERENCES} inputs may be given by reference"
        raise InvalidInput(
            f"The execute request is invalid: {message}.",
            extra={"problems": [{"path": "inputs", "message": message}]},
        )
    resolved: dict[str, Any] = {k: list(v) if isinstance(v, list) else v for k, v in inputs.items()}
    outcomes = await asyncio.gather(*(_fetch(fetcher, href) for _, _, href in places))
    problems: list[dict[str, str]] = []
    for (name, index, _), outcome in zip(places, outcomes, strict=True):
        path = name if index is None else f"{name}.{index}"
        if isinstance(outcome, str):
            problems.append(
                {"path": path, "message": f"the reference cannot be fetched: {outcome}"}
            )
        elif index is None:
            resolved[name] = outcome
        else:
            resolved[name][index] = outcome
    if problems:
        detail = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        raise InvalidInput(f"Invalid input: {detail}", extra={"problems": problems})
    return resolved


async def _fetch(fetcher: ReferenceFetcher, href: str) -> dict[str, Any] | str:
    """The qualified value at ``href``, or why it cannot be fetched."""
    try:
        return (await fetcher.fetch(href)).as_value()
    except (FetchError, ForbiddenAddress) as exc:
        return str(exc)
