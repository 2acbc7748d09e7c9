"""Base class shared by every model of the standard."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class OgcModel(BaseModel):
    """A model of one OGC API - Processes schema.

    Readers are tolerant: unknown members are kept (``extra="allow"``).
    Writers are strict: :meth:`to_dict` and :meth:`to_json` serialise by alias and
    omit optional members that were never set, while members the schema requires
    (listed in ``_always_dump`` where they have a default) are always written.
    """

    # Validators are built on first use: a program pays only for the models it uses.
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    _always_dump: ClassVar[tuple[str, ...]] = ()

    def model_post_init(self, context: Any, /) -> None:
        for name in self._always_dump:
            self.model_fields_set.add(name)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON-compatible mapping, as it goes on the wire."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_json(self, *, indent: int | None = None) -> str:
        """This model as JSON text, as it goes on the wire."""
        return self.model_dump_json(by_alias=True, exclude_unset=True, indent=indent)
