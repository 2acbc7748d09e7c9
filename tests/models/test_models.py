"""The rules of ``eoproc.models``: enums, serialisation, tolerance, the request shortcut."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from eoproc.models import (
    AdditionalParameter,
    AdditionalParameters,
    ApiError,
    Bbox,
    ConformanceDeclaration,
    ExecuteRequest,
    Format,
    InputDescription,
    JobControlOptions,
    JobList,
    JobResults,
    JobStatus,
    LandingPage,
    Link,
    Metadata,
    Output,
    OutputDescription,
    ProcessDescription,
    ProcessList,
    ProcessRequest,
    ProcessSummary,
    QualifiedInputValue,
    ResponseType,
    Schema,
    StatusInfo,
    Subscriber,
    TransmissionMode,
)
from tests.ogc_schemas import OgcSchemas


def test_enums_print_as_their_values() -> None:
    assert str(JobStatus.running) == "running"
    assert f"{JobControlOptions.async_execute}" == "async-execute"
    assert str(TransmissionMode.reference) == "reference"
    assert str(ResponseType.document) == "document"


def test_import_line_of_the_issue_prints_running() -> None:
    code = "from eoproc.models import ProcessRequest, JobInfo, JobStatus; print(JobStatus.running)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "running\n"


def test_final_statuses() -> None:
    assert {s for s in JobStatus if s.is_final} == {
        JobStatus.successful,
        JobStatus.failed,
        JobStatus.dismissed,
    }


def test_process_request_takes_inputs_as_keywords() -> None:
    assert ProcessRequest(duration=2).inputs == {"duration": 2}
    assert ProcessRequest(**{"fail": True}).to_dict() == {"inputs": {"fail": True}}
    mixed = ProcessRequest(inputs={"a": 1}, b=2, response="document")
    assert mixed.inputs == {"a": 1, "b": 2}
    assert mixed.response is ResponseType.document
    assert ProcessRequest().to_dict() == {}


def test_process_request_is_execute_request() -> None:
    assert ProcessRequest is ExecuteRequest


def test_unset_members_are_omitted_but_type_is_always_written() -> None:
    info = StatusInfo(jobID="j1", status=JobStatus.accepted)
    assert info.to_dict() == {"jobID": "j1", "status": "accepted", "type": "process"}


def test_status_info_without_type_is_read() -> None:
    info = StatusInfo.model_validate({"jobID": "job_0", "status": "dismissed", "progress": 1})
    assert info.type == "process"
    assert info.progress == 1


def test_unknown_members_are_kept() -> None:
    info = StatusInfo.model_validate({"jobID": "x", "status": "running", "vendorField": 7})
    assert info.to_dict()["vendorField"] == 7


def test_progress_out_of_range_is_rejected() -> None:
    with pytest.raises(ValidationError):
        StatusInfo(jobID="x", status=JobStatus.running, progress=101)


def test_status_info_times_are_written_in_utc_with_z() -> None:
    when = datetime(2025, 11, 12, 10, 18, 38, 616131, tzinfo=UTC)
    info = StatusInfo(jobID="x", status=JobStatus.successful, created=when)
    assert info.to_dict()["created"] == "2025-11-12T10:18:38.616131Z"


def test_bbox_has_four_or_six_numbers_and_a_known_crs() -> None:
    assert Bbox(bbox=[1, 2, 3, 4]).bbox == [1.0, 2.0, 3.0, 4.0]
    for bad in ([1, 2, 3], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7]):
        with pytest.raises(ValidationError):
            Bbox(bbox=bad)
    with pytest.raises(ValidationError):
        Bbox(bbox=[1, 2, 3, 4], crs="EPSG:4326")


def test_problem_details_keep_extra_members() -> None:
    error = ApiError.model_validate(
        {"type": "ApiError", "title": "Forbidden", "status": 403, "detail": "gone", "x": 1}
    )
    assert error.to_dict() == {
        "type": "ApiError",
        "title": "Forbidden",
        "status": 403,
        "detail": "gone",
        "x": 1,
    }


def test_schema_aliases_round_trip() -> None:
    schema = Schema.model_validate({"not": {"type": "string"}, "allOf": [{"$ref": "#/x"}]})
    assert schema.not_ is not None and schema.allOf is not None
    assert schema.allOf[0].ref == "#/x"
    assert schema.to_dict() == {"not": {"type": "string"}, "allOf": [{"$ref": "#/x"}]}


def test_models_nested_in_inputs_are_serialised() -> None:
    request = ProcessRequest(area=Bbox(bbox=[0, 0, 1, 1]))
    assert request.to_dict() == {"inputs": {"area": {"bbox": [0.0, 0.0, 1.0, 1.0]}}}


def _link() -> Link:
    return Link(href="http://127.0.0.1:8008/", rel="self", type="application/json", title="x")


def _description() -> ProcessDescription:
    return ProcessDescription(
        id="p",
        version="1.0.0",
        title="P",
        keywords=["k"],
        metadata=[Metadata(title="m", role="r", href="http://x")],
        additionalParameters=AdditionalParameters(
            parameters=[AdditionalParameter(name="n", value=["v", 1, [1], {"a": 1}])]
        ),
        jobControlOptions=[JobControlOptions.async_execute, JobControlOptions.dismiss],
        outputTransmission=[TransmissionMode.value],
        links=[_link()],
        inputs={
            "n": InputDescription(
                title="N",
                minOccurs=0,
                maxOccurs="unbounded",
                schema=Schema(type="integer", minimum=0, exclusiveMinimum=True, default=3),
            )
        },
        outputs={"r": OutputDescription(schema=Schema(type="array", items=Schema(type="number")))},
    )


WRITTEN = [
    ("landingPage", lambda: LandingPage(title="t", description="d", links=[_link()])),
    ("confClasses", lambda: ConformanceDeclaration(conformsTo=["http://x/conf/core"])),
    ("link", _link),
    ("processSummary", lambda: ProcessSummary(id="p", version="0.0.0")),
    ("process", _description),
    (
        "processList",
        lambda: ProcessList(processes=[ProcessSummary(id="p", version="0")], links=[_link()]),
    ),
    (
        "execute",
        lambda: ExecuteRequest(
            inputs={
                "a": 1,
                "b": Bbox(bbox=[0, 0, 1, 1]),
                "c": QualifiedInputValue(value="aGk=", mediaType="text/plain", encoding="base64"),
                "d": [1, 2],
                "e": Link(href="http://example.com/x.tif", type="image/tiff"),
            },
            outputs={
                "r": Output(
                    format=Format(mediaType="application/json"),
                    transmissionMode=TransmissionMode.value,
                )
            },
            response=ResponseType.document,
            subscriber=Subscriber(successUri="http://x/ok"),
        ),
    ),
    (
        "statusInfo",
        lambda: StatusInfo(
            processID="p",
            jobID="j",
            status=JobStatus.running,
            message="half way",
            created=datetime.now(UTC),
            progress=50,
            links=[_link()],
        ),
    ),
    (
        "jobList",
        lambda: JobList(jobs=[StatusInfo(jobID="j", status="failed")], links=[_link()]),
    ),
    ("results", lambda: JobResults({"r": [2, 3, 5], "f": {"href": "http://x/f.zarr"}})),
    ("exception", lambda: ApiError(type="about:blank", title="Bad", status=400, detail="d")),
    ("bbox", lambda: Bbox(bbox=[0, 0, 0, 1, 1, 1])),
    ("subscriber", lambda: Subscriber(successUri="http://x/ok", failedUri="http://x/f")),
]


@pytest.mark.parametrize(("schema", "build"), WRITTEN, ids=[name for name, _ in WRITTEN])
def test_what_we_write_validates(
    ogc_schemas: OgcSchemas, schema: str, build: Callable[[], Any]
) -> None:
    ogc_schemas.validate(schema, build().to_dict())


def test_results_print_as_their_mapping() -> None:
    results = JobResults({"return_value": [2, 3]})
    assert str(results) == "{'return_value': [2, 3]}"
    assert repr(results) == "JobResults({'return_value': [2, 3]})"
    assert results["return_value"] == [2, 3] and list(results) == ["return_value"]
