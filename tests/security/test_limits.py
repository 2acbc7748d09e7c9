"""Limits: jobs per user (429), body size (413), input depth (400), job time (failed)."""

from __future__ import annotations

from .conftest import JOB_TIMEOUT, MAX_ACTIVE, Secured, submit, wait_done


def test_active_jobs_per_user_cap(secured: Secured) -> None:
    with secured.client("bob") as bob, secured.client("alice") as alice:
        ids = []
        for _ in range(MAX_ACTIVE):
            created = submit(bob, "nap", {"seconds": 30})
            assert created.status_code == 201, created.text
            ids.append(created.json()["jobID"])
        refused = submit(bob, "nap", {"seconds": 0})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "7"
        assert refused.json()["type"].endswith("/too-many-jobs")
        # another user is not affected
        other = submit(alice, "echo", {"text": "still fine"})
        assert other.status_code == 201
        # dismissing frees a place
        assert bob.delete(f"/jobs/{ids[0]}").status_code == 200
        again = submit(bob, "echo", {})
        assert again.status_code == 201, again.text
        for job_id in ids[1:]:
            bob.delete(f"/jobs/{job_id}")


def test_job_timeout_fails_the_job(secured: Secured) -> None:
    with secured.client("ops") as ops:
        created = submit(ops, "nap", {"seconds": 60})
        job = wait_done(ops, created.json()["jobID"], timeout=JOB_TIMEOUT + 30)
        assert job["status"] == "failed"
        assert job["message"] == (
            f"The job exceeded the time limit of {JOB_TIMEOUT:g} s and was stopped."
        )
        results = ops.get(f"/jobs/{job['jobID']}/results")
        assert results.status_code == 500
        assert "time limit" in results.json()["detail"] + str(results.json())


def test_body_too_large_is_413(secured: Secured) -> None:
    with secured.client("alice") as alice:
        big = {"inputs": {"text": "x" * 100_000}}
        response = alice.post("/processes/echo/execution", json=big)
        assert response.status_code == 413
        assert response.json()["type"].endswith("/body-too-large")


def test_unauthenticated_large_body_is_401_unread(secured: Secured) -> None:
    with secured.client() as anonymous:
        response = anonymous.post("/processes/echo/execution", content=b"x" * 200_000)
        assert response.status_code == 401


def test_deeply_nested_inputs_are_400(secured: Secured) -> None:
    deep: object = 1
    for _ in range(20):
        deep = {"a": deep}
    with secured.client("alice") as alice:
        response = alice.post("/processes/echo/execution", json={"inputs": {"data": deep}})
        assert response.status_code == 400
        assert "nest deeper than 8 levels" in response.json()["detail"]
        shallow = alice.post("/processes/echo/execution", json={"inputs": {"data": {"a": [1]}}})
        assert shallow.status_code == 200, shallow.text
