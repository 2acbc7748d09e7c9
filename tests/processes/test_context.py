"""JobContext: injection, current(), progress, cancellation, output directory."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from eoproc.processes import InputValidationError, JobCancelled, JobContext, ProcessRegistry

registry = ProcessRegistry()


@registry.process
def injected(ctx: JobContext, n: int = 1) -> dict[str, object]:
    ctx.progress(50, "half way")
    return {"job_id": ctx.job_id, "same": ctx is JobContext.current(), "n": n}


@registry.process
def looked_up(n: int = 1) -> str:
    return JobContext.current().job_id


@registry.process
def stubborn(ctx: JobContext) -> int:
    ticks = 0
    while True:
        ticks += 1
        ctx.progress(None, f"tick {ticks}")
        ctx.check_cancelled()


def test_context_parameter_is_injected_not_an_input() -> None:
    assert registry.describe("injected").inputs is not None
    assert list(registry.describe("injected").inputs or {}) == ["n"]
    seen: list[tuple[int | None, str | None]] = []
    ctx = JobContext("job-1", on_progress=lambda p, m: seen.append((p, m)))
    assert registry.run("injected", {"n": 2}, ctx) == {
        "return_value": {"job_id": "job-1", "same": True, "n": 2}
    }
    assert seen == [(50, "half way")]
    assert (ctx.last_progress, ctx.last_message) == (50, "half way")
    with pytest.raises(InputValidationError, match="ctx: unknown input"):
        registry.validate_inputs("injected", {"ctx": 1})


def test_current_is_the_running_jobs_context() -> None:
    assert registry.run("looked_up", {}, JobContext("job-2")) == {"return_value": "job-2"}
    assert registry.run("looked_up", {}) == {"return_value": ""}


def test_current_outside_of_jobs_is_a_no_op_context() -> None:
    ctx = JobContext.current()
    assert ctx.job_id == "" and not ctx.cancelled
    ctx.progress(10)
    ctx.check_cancelled()


def test_activate_nests_and_restores() -> None:
    outer, inner = JobContext("outer"), JobContext("inner")
    with outer.activate():
        with inner.activate():
            assert JobContext.current() is inner
        assert JobContext.current() is outer
    assert JobContext.current() not in (outer, inner)


def test_contexts_are_per_thread() -> None:
    seen: dict[str, str] = {}

    def work(name: str) -> None:
        with JobContext(name).activate():
            barrier.wait(timeout=10)
            seen[name] = JobContext.current().job_id

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert seen == {"a": "a", "b": "b"}


def test_progress_is_clamped_and_rounded() -> None:
    seen: list[int | None] = []
    ctx = JobContext(on_progress=lambda p, m: seen.append(p))
    for value in (-5, 33.4, 120, None):
        ctx.progress(value)
    assert seen == [0, 33, 100, None]
    with pytest.raises(ValueError, match="NaN"):
        ctx.progress(float("nan"))


def test_cancellation_by_callback_stops_the_function() -> None:
    polls = 0

    def is_cancelled() -> bool:
        nonlocal polls
        polls += 1
        return polls > 3

    ctx = JobContext("job-3", is_cancelled=is_cancelled)
    with pytest.raises(JobCancelled, match="job-3"):
        registry.run("stubborn", {}, ctx)
    assert ctx.last_message == "tick 3"


def test_cancel_before_start_does_not_run() -> None:
    seen: list[int | None] = []
    ctx = JobContext(on_progress=lambda p, m: seen.append(p))
    ctx.cancel()
    assert ctx.cancelled
    with pytest.raises(JobCancelled):
        registry.run("injected", {}, ctx)
    assert seen == []


def test_output_dir_given_is_created_on_first_access(tmp_path: Path) -> None:
    target = tmp_path / "jobs" / "job-4"
    ctx = JobContext("job-4", output_dir=target)
    assert not target.exists()
    assert ctx.output_dir == target and target.is_dir()


def test_output_dir_default_is_private_per_context() -> None:
    first, second = JobContext("x"), JobContext("x")
    assert first.output_dir.is_dir() and second.output_dir.is_dir()
    assert first.output_dir != second.output_dir
    assert first.output_dir == first.output_dir
