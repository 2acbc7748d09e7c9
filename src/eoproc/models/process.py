"""Process summaries, descriptions and lists."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from .base import OgcModel
from .common import Link
from .schema import Schema


class JobControlOptions(StrEnum):
    """How a process may be executed (``jobControlOptions.yaml``)."""

    sync_execute = "sync-execute"
    async_execute = "async-execute"
    dismiss = "dismiss"


class TransmissionMode(StrEnum):
    """How an output is delivered (``transmissionMode.yaml``)."""

    value = "value"
    reference = "reference"


class Metadata(OgcModel):
    """A metadata item (``metadata.yaml``)."""

    title: str | None = None
    role: str | None = None
    href: str | None = None


class AdditionalParameter(OgcModel):
    """One named additional parameter (``additionalParameter.yaml``)."""

    name: str
    value: list[Any]


class AdditionalParameters(Metadata):
    """Additional parameters of a description (``descriptionType.yaml``)."""

    parameters: list[AdditionalParameter] | None = None


class DescriptionType(OgcModel):
    """Members every description has (``descriptionType.yaml``)."""

    title: str | None = None
    description: str | None = None
    keywords: list[str] | None = None
    metadata: list[Metadata] | None = None
    additionalParameters: AdditionalParameters | None = None


class InputDescription(DescriptionType):
    """The description of one process input (``inputDescription.yaml``)."""

    minOccurs: int = 1
    maxOccurs: int | Literal["unbounded"] = 1
    schema_: Schema = Field(alias="schema")


class OutputDescription(DescriptionType):
    """The description of one process output (``outputDescription.yaml``)."""

    schema_: Schema = Field(alias="schema")


class ProcessSummary(DescriptionType):
    """A process as listed (``processSummary.yaml``)."""

    id: str
    version: str
    jobControlOptions: list[JobControlOptions] | None = None
    outputTransmission: list[TransmissionMode] | None = None
    links: list[Link] | None = None


class ProcessDescription(ProcessSummary):
    """A process with its inputs and outputs (``process.yaml``)."""

    inputs: dict[str, InputDescription] | None = None
    outputs: dict[str, OutputDescription] | None = None


class ProcessList(OgcModel):
    """The list of processes (``processList.yaml``)."""

    processes: list[ProcessSummary]
    links: list[Link]
