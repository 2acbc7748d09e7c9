"""Errors the CLI reports, and how: one line on stderr, details, an exit code."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from .streams import console, is_utf

EXIT_OK = 0
EXIT_USER = 1
EXIT_API = 2
EXIT_NETWORK = 3

# rich's traceback markers that legacy code pages cannot show ("\u2771" otherwise)
ASCII_MARKERS = str.maketrans({"\u2771": ">", "\u2502": "|", "\u2500": "-"})


class UserError(Exception):
    """A mistake in the command line or in a file the user gave (exit code 1)."""


class RemoteError(Exception):
    """A remote failure the CLI detected itself, e.g. a failed job (exit code 2)."""


def exit_code_for(error: BaseException) -> int | None:
    """The documented exit code for ``error``, or None if it is not a known kind."""
    if isinstance(error, UserError):
        return EXIT_USER
    if isinstance(error, RemoteError):
        return EXIT_API
    errors = sys.modules.get("eoproc.client.errors")
    if errors is not None:
        if isinstance(error, errors.TransportError):
            return EXIT_NETWORK
        if isinstance(error, errors.ClientError | errors.JobFailedError | errors.JobTimeoutError):
            return EXIT_API
        if isinstance(error, errors.ConfigError):
            return EXIT_USER
    return None


def report_error(error: BaseException, *, show_traceback: bool) -> int:
    """Print ``error`` to stderr and return the exit code to end with.

    With ``show_traceback`` the local traceback and the server's (if it sent
    one) are printed too, and the exit code is always 1, as documented.
    """
    err = console(stderr=True)

    def line(text: str, style: str | None = None) -> None:
        err.print(text, markup=False, soft_wrap=True, style=style)

    if show_traceback:
        from rich.traceback import Traceback

        traceback = Traceback.from_exception(
            type(error), error, error.__traceback__, suppress=[typer], max_frames=20
        )
        if is_utf(sys.stderr):
            err.print(traceback)
        else:  # a console without Unicode (Windows, cp1252): ASCII markers, as the boxes
            with err.capture() as captured:
                err.print(traceback)
            sys.stderr.write(captured.get().translate(ASCII_MARKERS))
            sys.stderr.flush()
    code = exit_code_for(error)
    known = code is not None
    message = str(error) if known else f"{type(error).__name__}: {error}"
    problem = _problem_of(error)
    listed = _listed_problems(problem)
    message = _without_listing(message, listed)
    line(f"Error: {message}", "bold red")
    if problem:
        server_traceback = problem.pop("traceback", None)
        line("Server-side error details:")
        for key, value in problem.items():
            if key == "problems" and listed:
                line("  problems:")
                for path, text in listed:
                    line(f"    - {path}: {text}" if path else f"    - {text}")
            elif key == "detail" and isinstance(value, str):
                line(f"  detail: {_without_listing(value, listed)}")
            else:
                line(f"  {key}: {_one_line(value)}")
        if server_traceback:
            if show_traceback:
                line("Server traceback:")
                lines = (
                    server_traceback if isinstance(server_traceback, list) else [server_traceback]
                )
                for entry in lines:
                    line(f"  {str(entry).rstrip()}")
            else:
                line("The server sent a traceback: run with --traceback to see it.")
    elif not known and not show_traceback:
        line("This is unexpected: run with --traceback to see where it happened.")
    return EXIT_USER if show_traceback or code is None else code


def _listed_problems(problem: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(path, message) of the problem list of an error answer (``problems``), if any."""
    items = problem.get("problems") if problem else None
    if not isinstance(items, list):
        return []
    listed = []
    for item in items:
        if isinstance(item, dict) and "message" in item:
            listed.append((str(item.get("path") or ""), str(item["message"])))
        else:
            return []
    return listed


def _without_listing(text: str, listed: list[tuple[str, str]]) -> str:
    """``text`` without the "path: message" items it repeats from the problem list
    (they are printed once, as a list)."""
    if not listed:
        return text
    shortened = text
    for path, message in listed:
        item = f"{path}: {message}" if path else message
        shortened = shortened.replace(item, "", 1)
    if shortened == text:
        return text
    head = shortened.rstrip(" .;:,")  # the separators the items leave behind
    return f"{head}." if head else text


def _problem_of(error: BaseException) -> dict[str, Any] | None:
    problem = getattr(error, "problem", None)
    if problem is None:
        return None
    data = problem.to_dict() if hasattr(problem, "to_dict") else dict(problem)
    order = ["type", "title", "status", "detail", "instance"]
    ordered = {key: data[key] for key in order if data.get(key) is not None}
    ordered.update({k: v for k, v in data.items() if k not in ordered and v is not None})
    return ordered


def _one_line(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
