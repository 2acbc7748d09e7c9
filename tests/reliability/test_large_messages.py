"""Messages of any size between the worker pool and its workers (issue: >16 KiB lost a job)."""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from eoproc.jobs.channel import HEADER, BlockingChannel, LoopChannel, channel_pair
from tests.live_server import run_server
from tests.server.live_helpers import submit, wait_for


def test_echo_of_60_000_characters_completes_on_two_workers(tmp_path: Path) -> None:
    """The reproduction of the issue: before the fix two of these jobs stayed ``running``."""
    text = "x" * 60_000
    with (
        run_server(tmp_path / "jobs.db", "--workers", "2") as server,
        server.client(timeout=60) as client,
    ):

        def one(_: int) -> str:
            response = submit(
                client,
                "echo",
                {"string_input": text, "pause": 0.2},
                outputs={"string_input": {}},
            )
            assert response.status_code == 201, response.text[:300]
            return str(response.json()["jobID"])

        with ThreadPoolExecutor(8) as threads:
            ids = list(threads.map(one, range(40)))
        for job_id in ids:
            assert wait_for(client, job_id, timeout=30)["status"] == "successful"
            results = client.get(f"/jobs/{job_id}/results").json()
            assert results["string_input"] == text


async def _exchange(messages: list[Any]) -> tuple[list[Any], list[str | None]]:
    """Send ``messages`` from a worker-side thread; what the loop side received."""
    loop = asyncio.get_running_loop()
    pool_end, worker_end = channel_pair()
    received: list[Any] = []
    broken: list[str | None] = []
    done = asyncio.Event()

    def on_broken(reason: str | None) -> None:
        broken.append(reason)
        done.set()

    channel = LoopChannel(pool_end, loop, received.append, on_broken)
    worker = BlockingChannel(worker_end)

    def send_all() -> None:
        for message in messages:
            worker.send(message)
        worker.close()

    thread = threading.Thread(target=send_all)
    thread.start()
    await asyncio.wait_for(done.wait(), 60)
    thread.join()
    channel.close()
    return received, broken


async def test_loop_channel_reads_messages_of_any_size_in_order() -> None:
    big = b"\x01" * (64 * 1024 * 1024)
    messages: list[Any] = [("small", 1), ("big", big), "x" * 20_000, ("after", 2)]
    received, broken = await _exchange(messages)
    assert len(received) == 4
    assert received[0] == ("small", 1)
    assert received[1][0] == "big" and received[1][1] == big
    assert received[2:] == ["x" * 20_000, ("after", 2)]
    assert broken == [None]  # closed by the other end, not broken


async def test_a_frame_that_is_not_ours_breaks_the_channel_with_a_reason() -> None:
    loop = asyncio.get_running_loop()
    pool_end, worker_end = channel_pair()
    broken: list[str | None] = []
    received: list[Any] = []
    channel = LoopChannel(pool_end, loop, received.append, broken.append)
    garbage = b"not a pickle"
    worker_end.sendall(HEADER.pack(len(garbage)) + garbage)
    for _ in range(200):
        if broken:
            break
        await asyncio.sleep(0.01)
    assert received == []
    assert broken and broken[0] is not None and "could not be decoded" in broken[0]
    assert channel.closed
    worker_end.close()


async def test_loop_channel_writes_more_than_the_socket_takes_without_blocking() -> None:
    loop = asyncio.get_running_loop()
    pool_end, worker_end = channel_pair()
    channel = LoopChannel(pool_end, loop, lambda m: None, lambda r: None)
    payload = b"\x02" * (8 * 1024 * 1024)
    channel.send(("run", payload))  # returns at once: the rest waits in the buffer
    assert channel.pending > 0
    worker = BlockingChannel(worker_end)
    message = await asyncio.to_thread(worker.recv)
    assert message == ("run", payload)
    assert channel.pending == 0
    channel.close()
    worker.close()
    assert isinstance(worker_end, socket.socket)
