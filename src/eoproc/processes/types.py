"""Types for process inputs and outputs beyond what pydantic offers."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema


def _decode_base64(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as error:
            raise ValueError(f"not valid base64 ({error})") from None
    return value


def _encode_base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


Base64Binary = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    PlainSerializer(_encode_base64, return_type=str, when_used="json-unless-none"),
    WithJsonSchema({"type": "string", "format": "byte", "contentEncoding": "base64"}),
]
"""Binary data, base64-encoded in JSON (strictly: invalid characters are an error)."""
