"""The JSON-schema object of process inputs and outputs (``schema.yaml``).

The standard's schema object is the OpenAPI 3.0 flavour of JSON Schema: booleans
for ``exclusiveMinimum``/``exclusiveMaximum``, ``nullable`` instead of a ``null``
type, no ``$defs``. A schema may also be a reference (``reference.yaml``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from .base import OgcModel


class DataType(StrEnum):
    """The ``type`` of a schema."""

    array = "array"
    boolean = "boolean"
    integer = "integer"
    number = "number"
    object = "object"
    string = "string"


class Schema(OgcModel):
    """A schema object, or a reference to one (``{"$ref": ...}``)."""

    ref: str | None = Field(default=None, alias="$ref")
    title: str | None = None
    multipleOf: float | None = None
    maximum: float | None = None
    exclusiveMaximum: bool | None = None
    minimum: float | None = None
    exclusiveMinimum: bool | None = None
    maxLength: int | None = None
    minLength: int | None = None
    pattern: str | None = None
    maxItems: int | None = None
    minItems: int | None = None
    uniqueItems: bool | None = None
    maxProperties: int | None = None
    minProperties: int | None = None
    required: list[str] | None = None
    enum: list[Any] | None = None
    type: DataType | None = None
    not_: Schema | None = Field(default=None, alias="not")
    allOf: list[Schema] | None = None
    oneOf: list[Schema] | None = None
    anyOf: list[Schema] | None = None
    items: Schema | None = None
    properties: dict[str, Schema] | None = None
    additionalProperties: Schema | bool | None = None
    description: str | None = None
    format: str | None = None
    default: Any = None
    nullable: bool | None = None
    readOnly: bool | None = None
    writeOnly: bool | None = None
    example: Any = None
    deprecated: bool | None = None
    contentMediaType: str | None = None
    contentEncoding: str | None = None
    contentSchema: str | None = None
