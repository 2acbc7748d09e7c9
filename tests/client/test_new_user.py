"""What a new user of the client tripped over (issue 14), against a real eoproc server:
repeated dismissal, timeouts that leave jobs running, requests of the wrong type,
request templates, and the seed's ``Capabilities(...)``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from eoproc.client import (
    Client,
    ClientError,
    EoprocClientError,
    InvalidRequestError,
    JobTimeoutError,
)
from eoproc.client.validation import create_request
from eoproc.models import JobStatus, ProcessDescription
from tests.live_server import LiveServer


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[Client]:
    with Client(api_url=live_server.url) as client:
        yield client


def test_capabilities_show_as_the_seed_shows_them(client: Client) -> None:
    capabilities = client.get_capabilities()
    assert repr(capabilities).startswith("Capabilities(title=")


def test_dismissing_twice_is_no_error(client: Client, live_server: LiveServer) -> None:
    job = client.execute_process("primes_between", {"min_val": 2, "max_val": 20})
    client.wait_for_job(job.jobID, timeout=60)
    first = client.dismiss_job(job.jobID)
    assert first.status == JobStatus.dismissed
    again = client.dismiss_job(job.jobID)  # the server answers 410 Gone: already dismissed
    assert (again.jobID, again.status) == (job.jobID, JobStatus.dismissed)
    with pytest.raises(ClientError) as caught:
        client.dismiss_job(job.jobID, already_ok=False)
    assert caught.value.status == 410
    for _ in range(2):  # the server keeps answering 410 (clause 9 of the standard)
        assert httpx.delete(f"{live_server.url}/jobs/{job.jobID}").status_code == 410


def test_a_timeout_can_dismiss_the_job(client: Client) -> None:
    with pytest.raises(JobTimeoutError) as caught:
        client.execute_and_wait(
            "sleep_a_while", {"duration": 30}, timeout=0.5, dismiss_on_timeout=True
        )
    job_id = caught.value.job_id
    assert client.get_job(job_id).status == JobStatus.dismissed
    with pytest.raises(JobTimeoutError) as kept:
        client.execute_and_wait("sleep_a_while", {"duration": 30}, timeout=0.3)
    assert client.get_job(kept.value.job_id).status in (JobStatus.accepted, JobStatus.running)
    client.dismiss_job(kept.value.job_id)


@pytest.mark.parametrize("request_", [42, "duration=2", 2.5, object()])
def test_a_request_of_the_wrong_type_is_a_clear_error(request_: object) -> None:
    # no server needed: the request is refused before anything is sent
    with (
        Client(api_url="http://127.0.0.1:9/") as offline,
        pytest.raises(InvalidRequestError) as caught,
    ):
        offline.execute_process("sleep_a_while", request_)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "ExecuteRequest" in message and "mapping" in message and "None" in message
    assert type(request_).__name__ in message
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, EoprocClientError)


def test_a_model_of_another_library_is_sent_as_its_members(client: Client) -> None:
    from pydantic import BaseModel

    class UpstreamRequest(BaseModel):  # as the real gavicore's ProcessRequest
        inputs: dict[str, object] | None = None
        outputs: dict[str, object] | None = None

    job = client.execute_process("primes_between", UpstreamRequest(inputs={"max_val": 10}))
    client.wait_for_job(job.jobID, timeout=60)
    assert client.get_job_results(job.jobID)["return_value"] == [2, 3, 5, 7]


def test_request_templates_have_nested_defaults() -> None:
    description = ProcessDescription.model_validate(
        {
            "id": "p",
            "version": "1",
            "inputs": {
                "spec": {
                    "schema": {
                        "type": "object",
                        "required": ["name", "inner"],
                        "properties": {
                            "name": {"type": "string"},
                            "factor": {"type": "number", "default": 1.5},
                            "note": {"type": "string"},
                            "inner": {
                                "type": "object",
                                "required": ["x"],
                                "properties": {
                                    "x": {"type": "integer", "minimum": 1},
                                    "mode": {"type": "string", "default": "fast"},
                                    "label": {"type": "string"},
                                },
                            },
                        },
                    }
                }
            },
        }
    )
    # required members and members with a default, at every depth; optional members
    # without a default stay out
    assert create_request(description).inputs == {
        "spec": {"name": "", "factor": 1.5, "inner": {"x": 1, "mode": "fast"}}
    }
