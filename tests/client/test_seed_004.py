"""The S2GOS Python-client walkthrough (seed ``004_cd0befbe1e726fb1.txt``), cell by cell.

The cells run as written, against a fresh server of the S2GOS test service (plus a
stand-in ``mtr_demo_generation``, see ``seed_service.py``) that ``Client()`` finds
through the environment (``S2GOS_API_URL``), as a user's config would point to it.
Deviations, each forced by what is not ours: ``gavicore.models`` (a third-party
package) is ``eoproc.models``; the seed's ``"job_2"`` is the third job's id (job
ids are UUIDs here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eoproc.client import ClientError
from eoproc.models import JobStatus
from tests.live_server import LiveServer, run_server


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = tmp_path_factory.mktemp("seed-004") / "jobs.db"
    env = {"EOPROC_STORE": f"sqlite:///{store}"}
    with run_server(
        store, "--workers", "2", service="tests.client.seed_service:service", env=env
    ) as server:
        yield server


def test_seed_004_walkthrough(
    seed_server: LiveServer, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.setenv("S2GOS_API_URL", seed_server.url)

    # In [1]:
    from eoproc.models import ProcessRequest
    from s2gos_client import Client

    # In [2]:
    client = Client()
    assert repr(client) == f"Client(api_url='{seed_server.url}/', profile='s2gos', auth='none')"

    # In [3]:
    capabilities = client.get_capabilities()
    assert capabilities.title == "S2GOS Test-Server"
    assert capabilities.description == "Local DTE-S2GOS process server for testing"
    assert repr(capabilities).startswith("LandingPage(title='S2GOS Test-Server', description=")

    # In [4]:
    conformance = client.get_conformance()
    assert "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/dismiss" in (
        conformance.conformsTo
    )
    assert repr(conformance).startswith("ConformanceDeclaration(conformsTo=['http://www")

    # In [5]:
    processes = client.get_processes()
    assert "mtr_demo_generation" in [p.id for p in processes.processes]
    assert repr(processes).startswith("ProcessList(processes=[ProcessSummary(")

    # In [7]:
    description = client.get_process(process_id="mtr_demo_generation")
    assert description.description is not None
    assert description.description.startswith(
        "Generate 3D scene for MTR demo with seasonal variations."
    )
    assert repr(description).startswith("ProcessDescription(")

    # In [ ]:
    assert client.get_jobs().jobs == []

    # In [ ]:
    first = client.execute_process(process_id="sleep_a_while", request=ProcessRequest(duration=2))
    assert first.status in (JobStatus.accepted, JobStatus.running)

    # In [ ]:
    second = client.execute_process(process_id="sleep_a_while", request={"fail": True})
    assert second.status in (JobStatus.accepted, JobStatus.running)

    # In [ ]:
    third = client.execute_process(process_id="primes_between", request={})
    assert third.status in (JobStatus.accepted, JobStatus.running)

    # In [ ]:
    jobs = client.get_jobs()
    assert {j.jobID for j in jobs.jobs} == {first.jobID, second.jobID, third.jobID}

    # In [ ]:  (the seed's "job_2": the third job)
    job_2 = third.jobID
    assert client.get_job(job_2).jobID == job_2

    # In [ ]:
    client.wait_for_job(job_2, timeout=60)
    assert client.get_job_results(job_2)["return_value"][:3] == [2, 3, 5]

    # In [ ]:
    for job in client.get_jobs().jobs:
        client.dismiss_job(job.jobID)

    # In [ ]:
    final = client.get_jobs()
    assert {j.jobID for j in final.jobs} <= {first.jobID, second.jobID, third.jobID}
    assert all(j.status == JobStatus.dismissed for j in final.jobs)
    for job_id in (first.jobID, second.jobID, third.jobID):
        with pytest.raises(ClientError):
            client.get_job_results(job_id)
    client.close()
