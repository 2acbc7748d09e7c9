"""Slow clients (slowloris): disconnected after the header/body timeouts, never blocking others."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from tests.live_server import LiveServer, run_server

HEADER_TIMEOUT = 1.5
BODY_TIMEOUT = 2.0
SAFETY = 30.0


def trickle(server: LiveServer, head: bytes, drip: bytes) -> float:
    """Send ``head``, then one byte of ``drip`` every 0.3 s until the server closes
    the connection; the seconds that took (a safety net stops the loop)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=SAFETY) as sock:
        sock.sendall(head)
        for byte in drip * 1000:
            if time.monotonic() - start > SAFETY:
                raise AssertionError("the server kept a slow client for ever")
            try:
                sock.sendall(bytes([byte]))
            except OSError:  # reset: closed by the server
                break
            time.sleep(0.3)
            sock.setblocking(False)
            try:
                if sock.recv(1024) == b"":
                    break
            except BlockingIOError:
                pass
            except OSError:
                break
            finally:
                sock.setblocking(True)
    return time.monotonic() - start


def test_slow_headers_and_slow_bodies_are_disconnected(tmp_path: Path) -> None:
    args = ("--workers", "1", "--header-timeout", str(HEADER_TIMEOUT))
    args += ("--body-timeout", str(BODY_TIMEOUT))
    with run_server(tmp_path / "jobs.db", *args) as server:
        with server.client(timeout=10) as client:
            slow_head = trickle(server, b"GET /processes HTTP/1.1\r\nHost: x\r\n", b"X-Slow: 1")
            # others are served meanwhile and after
            assert client.get("/processes").status_code == 200
            head = (
                b"POST /processes/echo/execution HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            )
            slow_body = trickle(server, head, b'{"inputs": {}}')
            assert client.get("/processes").status_code == 200
        assert slow_head >= HEADER_TIMEOUT - 0.1 and slow_body >= BODY_TIMEOUT - 0.1
        log = server.log()
        assert "its request headers took over 1.5 s" in log
        assert "its request body took over 2 s" in log


def test_others_are_served_while_many_slow_clients_hang(tmp_path: Path) -> None:
    args = ("--workers", "1", "--header-timeout", str(HEADER_TIMEOUT))
    with run_server(tmp_path / "jobs.db", *args) as server:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(50)]
        try:
            for sock in idle:
                sock.sendall(b"GET / HTTP/1.1\r\n")  # never finished
            with server.client(timeout=10) as client:
                for _ in range(5):
                    assert client.get("/").status_code == 200
            time.sleep(HEADER_TIMEOUT + 1.0)
            closed = 0
            for sock in idle:
                sock.settimeout(5)
                try:
                    closed += sock.recv(1024) == b""
                except OSError:
                    closed += 1
            assert closed == len(idle)  # every slow connection was closed
        finally:
            for sock in idle:
                sock.close()
