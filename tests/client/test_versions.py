"""Reading OGC API - Processes 2.0 answers: version detection, status info, requests."""

from __future__ import annotations

from eoproc.client.versions import OGC_RESULTS_PROFILE, request_for, version_of
from eoproc.models import JobList, StatusInfo

V1 = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core"
V2 = "http://www.opengis.net/spec/ogcapi-processes-1/2.0/conf/core"


def test_version_from_conformance() -> None:
    assert version_of([V1]) == "1.0"
    assert version_of([V1, V2]) == "2.0"
    assert version_of([V2.replace("http://", "https://")]) == "2.0"
    assert version_of(["http://www.opengis.net/spec/ogcapi-common-1/2.0/conf/core"]) == "1.0"
    assert version_of([]) == "1.0"


def test_status_info_of_2_0_is_read() -> None:
    status = StatusInfo.model_validate(
        {
            "id": "j-1",
            "processID": "https://host/api/processes/NDVI%20v2",
            "processingEntityType": "ogc-api-processes",
            "status": "running",
        }
    )
    assert status.jobID == "j-1" and status.processID == "NDVI v2"
    assert status.model_extra == {
        "processingEntityType": "ogc-api-processes",
        "processURI": "https://host/api/processes/NDVI%20v2",
    }
    jobs = JobList.model_validate({"jobs": [{"id": "a", "status": "accepted"}], "links": []})
    assert jobs.jobs[0].jobID == "a"
    # 1.0 documents are untouched; a processID that is no URI stays
    plain = StatusInfo.model_validate({"jobID": "b", "id": "x", "status": "failed"})
    assert plain.jobID == "b" and plain.processID is None
    assert (
        StatusInfo.model_validate(
            {"jobID": "c", "processID": "urn:x", "status": "failed"}
        ).processID
        == "urn:x"
    )


def test_execute_requests_per_version() -> None:
    body = {"inputs": {"a": 1}, "response": "document"}
    assert request_for("1.0", body)[0] == body
    document, headers = request_for("2.0", body)
    assert document == {"inputs": {"a": 1}}
    assert OGC_RESULTS_PROFILE in headers["Accept-Profile"]
    raw, raw_headers = request_for("2.0", {"inputs": {}, "response": "raw"})
    assert raw == {"inputs": {}} and "Accept-Profile" not in raw_headers
    assert "Accept-Profile" not in request_for("1.0", {"response": "raw"})[1]
