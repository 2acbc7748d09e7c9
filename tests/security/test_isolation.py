"""API keys, and each user kept to their own jobs on every job endpoint."""

from __future__ import annotations

import uuid

import pytest

from eoproc.server.auth import hash_key, parse_api_key, parse_api_keys

from .conftest import KEYS, Secured, submit, wait_done


def test_api_keys_right_and_wrong(secured: Secured) -> None:
    with secured.client("alice") as client:
        assert client.get("/jobs").status_code == 200
    with secured.client() as client:
        wrong = client.get("/jobs", headers={"X-API-Key": "alice-key-0123456789abcdeX"})
        missing = client.get("/jobs")
        for response in (wrong, missing):
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert (
                'ApiKey realm="eoproc", header="X-API-Key"' in response.headers["www-authenticate"]
            )
        assert wrong.json()["detail"] == "The API key is not valid."
        assert missing.json()["detail"] == "This operation needs credentials."
        # the public documents stay readable without credentials
        for path in ("/", "/conformance", "/openapi.json"):
            assert client.get(path).status_code == 200, path
        # but wrong credentials are refused there too
        assert client.get("/", headers={"X-API-Key": "nope-nope-nope-nope-nope"}).status_code == 401


def test_api_key_parsing() -> None:
    digest = hash_key("a-long-enough-key-1234")
    key = parse_api_key(f"{digest}:alice:admin,ops")
    assert key.user.name == "alice" and key.user.roles == {"admin", "ops"}
    other = hash_key("another-long-enough-key")
    keys = parse_api_keys([f"{digest}:alice:admin,ops,{other}:bob"])
    assert [(k.user.name, set(k.user.roles)) for k in keys] == [
        ("alice", {"admin", "ops"}),
        ("bob", set()),
    ]
    for bad in ("nothex:alice", f"{digest}", f"{digest}:", f"{digest}:a\x00b"):
        with pytest.raises(ValueError):
            parse_api_key(bad)
    with pytest.raises(ValueError, match="twice"):
        parse_api_keys([f"{digest}:a", f"{digest}:b"])
    with pytest.raises(ValueError, match="at least"):
        hash_key("short")


def _not_found_like_unknown(response_a: dict, response_b: dict) -> None:
    """Two 404 problems equal but for the job id in the detail and the request id."""
    for body in (response_a, response_b):
        body.pop("instance")
    assert response_a["type"] == response_b["type"]
    assert response_a["title"] == response_b["title"]
    assert response_a["status"] == response_b["status"] == 404


def test_other_users_jobs_are_404_like_unknown_ones(secured: Secured) -> None:
    with secured.client("alice") as alice, secured.client("bob") as bob:
        created = submit(alice, "write_file", {})
        assert created.status_code == 201, created.text
        job_id = created.json()["jobID"]
        assert wait_done(alice, job_id)["status"] == "successful"
        unknown = str(uuid.uuid4())
        for method, path in [
            ("GET", "/jobs/{}"),
            ("GET", "/jobs/{}/results"),
            ("GET", "/jobs/{}/results/report"),
            ("DELETE", "/jobs/{}"),
        ]:
            theirs = bob.request(method, path.format(job_id))
            missing = bob.request(method, path.format(unknown))
            assert theirs.status_code == missing.status_code == 404, (method, path)
            a, b = theirs.json(), missing.json()
            assert a["detail"].replace(job_id, unknown) == b["detail"]
            _not_found_like_unknown(a, b)
        listed = bob.get("/jobs").json()["jobs"]
        assert job_id not in {job["jobID"] for job in listed}
        by_process = bob.get("/jobs", params={"processID": "write_file", "status": "successful"})
        assert job_id not in {job["jobID"] for job in by_process.json()["jobs"]}
        # the owner sees and fetches everything
        assert alice.get(f"/jobs/{job_id}").status_code == 200
        assert alice.get(f"/jobs/{job_id}/results").status_code == 200
        assert alice.get(f"/jobs/{job_id}/results/report").text == "all good\n"
        assert job_id in {job["jobID"] for job in alice.get("/jobs").json()["jobs"]}
        # the job is still there after bob's attempt to dismiss it
        assert alice.get(f"/jobs/{job_id}").json()["status"] == "successful"


def test_admin_sees_every_job_and_oidc_users_are_kept_apart(secured: Secured) -> None:
    token = secured.provider.token("carol")
    with secured.client("alice") as alice, secured.client("root") as root:
        job_id = submit(alice, "echo", {"text": "hi"}).json()["jobID"]
        wait_done(alice, job_id)
        assert job_id in {
            job["jobID"] for job in root.get("/jobs", params={"limit": 1000}).json()["jobs"]
        }
        assert root.get(f"/jobs/{job_id}/results").json()["return_value"]["text"] == "hi"
        carol = {"Authorization": f"Bearer {token}"}
        assert alice.get(f"/jobs/{job_id}", headers={"X-API-Key": "", **carol}).status_code == 401
        with secured.client() as anonymous:
            assert anonymous.get(f"/jobs/{job_id}", headers=carol).status_code == 404
            mine = anonymous.post(
                "/processes/echo/execution",
                json={"inputs": {}},
                headers={"Prefer": "respond-async", **carol},
            )
            carol_job = mine.json()["jobID"]
            assert anonymous.get(f"/jobs/{carol_job}", headers=carol).status_code == 200
            assert alice.get(f"/jobs/{carol_job}").status_code == 404
        assert root.delete(f"/jobs/{job_id}").status_code == 200  # admin may dismiss


def test_process_roles(secured: Secured) -> None:
    with secured.client("alice") as alice, secured.client("ops") as ops:
        assert "launch" not in {p["id"] for p in alice.get("/processes").json()["processes"]}
        assert alice.get("/processes/launch").status_code == 404
        refused = submit(alice, "launch", {})
        assert refused.status_code == 404
        assert refused.json()["type"].endswith("/no-such-process")
        assert "launch" in {p["id"] for p in ops.get("/processes").json()["processes"]}
        assert ops.get("/processes/launch").status_code == 200
        job = submit(ops, "launch", {"code": "x"})
        assert job.status_code == 201
        assert wait_done(ops, job.json()["jobID"])["status"] == "successful"


def test_keys_are_never_echoed(secured: Secured) -> None:
    with secured.client() as client:
        response = client.get("/jobs", headers={"X-API-Key": KEYS["alice"] + "x"})
        assert KEYS["alice"] not in response.text
