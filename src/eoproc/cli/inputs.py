"""Parse ``-i NAME=VALUE`` options and ``--request`` files into an execute request."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import UserError

_REQUEST_MEMBERS = ("inputs", "outputs", "response", "subscriber")
PROCESS_ID_MEMBERS = ("process_id", "processID")
"""Members of a request file naming its process (not part of the execute request)."""
REQUEST_SUFFIXES = (".yaml", ".yml", ".json")


def parse_value(text: str) -> Any:
    """A value as JSON if it is JSON, otherwise the text itself.

    ``@path`` reads the value from a file: JSON, YAML for ``.yaml``/``.yml``,
    otherwise JSON-else-text as on the command line.
    """
    if text.startswith("@"):
        return _read_value_file(Path(text[1:]))
    try:
        return json.loads(text)
    except ValueError:
        return text


def _read_value_file(path: Path) -> Any:
    if not path.name:
        raise UserError("Missing file name after '@'")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"Input file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Cannot read input file {path}: {error}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return _parse_yaml(text, str(path))
    try:
        return json.loads(text)
    except ValueError:
        if path.suffix.lower() == ".json":
            raise UserError(f"Input file {path} is not valid JSON") from None
        return text


def parse_input_option(option: str) -> tuple[list[str], Any]:
    """Split ``a.b=VALUE`` into the path ``["a", "b"]`` and the parsed value."""
    name, sep, text = option.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UserError(f"Invalid input {option!r}: expected NAME=VALUE, e.g. -i min_val=10")
    path = name.split(".")
    if any(not part for part in path):
        raise UserError(f"Invalid input name {name!r}: empty part in dotted name")
    return path, parse_value(text)


def set_path(target: dict[str, Any], path: list[str], value: Any) -> None:
    """Set ``target[path[0]][path[1]]... = value``, creating nested mappings."""
    node = target
    for depth, key in enumerate(path[:-1]):
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            dotted = ".".join(path[: depth + 1])
            raise UserError(f"Input {dotted!r} has a value, cannot set {'.'.join(path)!r}")
        node = child
    node[path[-1]] = value


def load_request_file(source: str) -> dict[str, Any]:
    """Read a request from a YAML or JSON file, or from stdin for ``-``."""
    if source == "-":
        text, label = _read_stdin(), "<stdin>"
    else:
        path = Path(source)
        label = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise UserError(f"Request file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"Cannot read request file {path}: {error}") from None
    data: Any = _parse_yaml(text, label) if text.strip() else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"Request in {label} must be a mapping, not {type(data).__name__}")
    return data


def build_request(request_file: str | None, input_options: Iterable[str] | None) -> dict[str, Any]:
    """The execute request given by a request file and ``-i`` options.

    A file may hold a full execute request (``inputs``, ``outputs``, ...) or just
    the inputs mapping. ``-i`` options override (and deep-merge into) its inputs.
    A ``process_id`` member (as ``create-request`` writes) is not part of the request.
    """
    return resolve_request(None, request_file, input_options, require_id=False)[1]


def _is_request_file(argument: str) -> bool:
    return argument == "-" or Path(argument).suffix.lower() in REQUEST_SUFFIXES


def resolve_request(
    process_id: str | None,
    request_file: str | None,
    input_options: Iterable[str] | None,
    *,
    require_id: bool = True,
) -> tuple[str, dict[str, Any]]:
    """The process id and execute request of a command line.

    Without ``--request``, a PROCESS_ID argument that names a request file
    (``*.yaml``, ``*.yml``, ``*.json``) is that file. The process id is the
    argument, else the file's ``process_id`` member (as ``create-request`` writes it).
    """
    if request_file is None and process_id is not None and _is_request_file(process_id):
        request_file, process_id = process_id, None
    request = load_request_file(request_file) if request_file else {}
    from_file = [request.pop(key) for key in PROCESS_ID_MEMBERS if key in request]
    process_id = process_id or next((str(value) for value in from_file if value), None)
    if process_id is None and require_id:
        raise UserError(
            "Missing PROCESS_ID: give it as an argument, or as the member process_id "
            "of the request file (create-request writes it)"
        )
    return process_id or "", _merge_inputs(request, input_options)


def _merge_inputs(request: dict[str, Any], input_options: Iterable[str] | None) -> dict[str, Any]:
    if request and not any(key in request for key in _REQUEST_MEMBERS):
        request = {"inputs": request}
    inputs = request.get("inputs")
    if inputs is not None and not isinstance(inputs, dict):
        raise UserError("Request member 'inputs' must be a mapping of input names to values")
    merged: dict[str, Any] = dict(inputs or {})
    for key in [key for key in request if key not in _REQUEST_MEMBERS]:
        merged[key] = request.pop(key)  # inputs given beside the members, as ExecuteRequest does
    for option in input_options or ():
        path, value = parse_input_option(option)
        set_path(merged, path, value)
    if merged or "inputs" in request:
        request["inputs"] = merged
    return request


def _read_stdin() -> str:
    """Standard input as UTF-8 (JSON and YAML are), whatever the console's code page."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (tests, embedding)
        return sys.stdin.read()
    try:
        return buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(f"The request on stdin is not UTF-8: {error}") from None


def _parse_yaml(text: str, label: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise UserError(f"Cannot parse {label} as YAML or JSON: {error}") from None
