"""How the server serves outputs: lazily read Zarr, Range and HEAD, per-user isolation,
downloads (resumed, Zarr unpacked), and never a path of the server in an answer."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
import xarray as xr

from eoproc.client import Client
from eoproc.client.html import landing_page_html, process_description_html, results_html

from . import procs
from .conftest import KEYS, DataServer
from .test_roundtrip import run


@contextmanager
def http(server: DataServer, user: str | None = "alice") -> Iterator[httpx.Client]:
    headers = {"X-API-Key": KEYS[user]} if user else {}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        yield client


def _store_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def test_a_lazily_opened_zarr_reads_only_the_chunks_it_touches(
    client: Client, data_server: DataServer
) -> None:
    job_id = run(client, "lazy_dataset")
    store = data_server.results_root / job_id / "lazy_dataset.zarr"
    total = _store_size(store)
    recorder = data_server.recorder
    mark = recorder.mark()
    dataset = client.open_job_result(job_id)
    opening = recorder.since(mark)

    def chunks_of_v(exchanges: list) -> list[str]:
        prefix = f"/jobs/{job_id}/results/return_value/v/"
        return [
            e.path
            for e in exchanges
            if e.path.startswith(prefix) and not e.path.endswith((".json", ".zarray", ".zattrs"))
        ]

    assert chunks_of_v(opening) == []  # opening reads metadata and coordinates only
    mark = recorder.mark()
    values = dataset["v"].isel(time=5).values
    reading = recorder.since(mark)
    assert len(chunks_of_v(reading)) == 1  # one time step is one chunk
    assert chunks_of_v(reading)[0].replace(".", "/").endswith("5/0/0")
    np.testing.assert_array_equal(values, procs.make_lazy_dataset()["v"].isel(time=5).values)
    served = sum(len(e.body) for e in (*opening, *reading))
    assert served < total / 4, (served, total)  # 24 chunks of v: we read one


def test_head_and_range_requests(client: Client, data_server: DataServer) -> None:
    job_id = run(client, "big")
    content = procs.big_content()
    url = f"/jobs/{job_id}/results/return_value"
    with http(data_server) as alice:
        head = alice.head(url)
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == procs.BIG_SIZE
        assert head.headers["content-type"] == "application/octet-stream"
        assert 'filename="big.bin"' in head.headers["content-disposition"]
        assert head.headers["etag"] and head.headers["last-modified"]
        assert head.headers["accept-ranges"] == "bytes"
        part = alice.get(url, headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 1000-1999/{procs.BIG_SIZE}"
        assert part.content == content[1000:2000]
        tail = alice.get(url, headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == content[-10:]
        same = alice.get(url, headers={"Range": "bytes=0-9", "If-Range": head.headers["etag"]})
        assert same.status_code == 206 and same.content == content[:10]
        stale = alice.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
        assert stale.status_code == 200 and stale.content == content  # changed: all of it
        whole = alice.get(url)
        assert whole.status_code == 200 and whole.content == content


def test_a_zarr_output_is_a_key_space_and_a_zip(client: Client, data_server: DataServer) -> None:
    job_id = run(client, "dataset")
    url = f"/jobs/{job_id}/results/return_value"
    with http(data_server) as alice:
        index = alice.get(f"{url}/")
        assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
        assert 'href="zarr.json"' in index.text and 'href="ndvi/"' in index.text
        metadata = alice.get(f"{url}/zarr.json")
        assert metadata.status_code == 200 and "consolidated_metadata" in metadata.json()
        missing = alice.get(f"{url}/nope/zarr.json")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert alice.get(f"{url}/../../../../jobs.db").status_code == 404
        archive = alice.get(url)
        assert archive.headers["content-type"] == "application/zip"
        assert 'filename="dataset.zarr.zip"' in archive.headers["content-disposition"]
        with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
            names = zipped.namelist()
        assert "zarr.json" in names  # the root of the zip is the store itself
        assert all(not name.startswith("dataset.zarr/") for name in names)


def test_another_user_gets_404_on_every_output_url(client: Client, data_server: DataServer) -> None:
    zarr_job, file_job = run(client, "dataset"), run(client, "report")
    urls = [
        f"/jobs/{file_job}/results/return_value",
        f"/jobs/{zarr_job}/results/return_value",
        f"/jobs/{zarr_job}/results/return_value/",
        f"/jobs/{zarr_job}/results/return_value/zarr.json",
        f"/jobs/{zarr_job}/results/return_value/ndvi/zarr.json",
    ]
    with http(data_server) as alice, http(data_server, "bob") as bob:
        for url in urls:
            assert alice.get(url).status_code == 200, url
            for answer in (bob.get(url), bob.head(url)):
                assert answer.status_code == 404, url
            problem = bob.get(url).json()
            assert problem["type"].endswith("/no-such-job") and "results" not in problem["detail"]
    with http(data_server, None) as nobody:
        assert nobody.get(urls[0]).status_code == 401


def test_download_results_unpacks_zarr_and_resumes(
    client: Client, data_server: DataServer, tmp_path: Path
) -> None:
    zarr_job = run(client, "dataset")
    paths = client.download_results(zarr_job, tmp_path / "out", progress=False)
    assert paths == [tmp_path / "out" / "dataset.zarr"] and paths[0].is_dir()
    xr.testing.assert_identical(xr.open_zarr(paths[0]), procs.make_dataset())
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["dataset.zarr"]

    big_job = run(client, "big")
    content = procs.big_content()
    target = tmp_path / "big"
    target.mkdir()
    (target / "big.bin.part").write_bytes(content[:1_000_000])  # an interrupted download
    mark = data_server.recorder.mark()
    assert client.download_results(big_job, target) == [target / "big.bin"]
    assert (target / "big.bin").read_bytes() == content
    assert [p.name for p in target.iterdir()] == ["big.bin"]
    gets = [e for e in data_server.recorder.since(mark) if e.method == "GET"]
    resumed = [e for e in gets if e.path.endswith("/results/return_value")]
    assert [e.headers.get("range") for e in resumed] == ["bytes=1000000-"]
    assert resumed[0].status == 206 and len(resumed[0].body) == len(content) - 1_000_000


def test_progress_bars_and_html(client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    job = client.execute_process("dataset", {}, mode="async")
    client.wait_for_job(job.jobID, timeout=120, progress=True)
    assert f"Job {job.jobID}" in capsys.readouterr().err
    table = results_html(client.get_job_results(job.jobID))
    assert "application/vnd+zarr" in table and "KiB" in table
    described = process_description_html(client.get_process("table"))
    assert "application/vnd.apache.parquet, text/csv" in described
    assert "Processes" in landing_page_html(client.get_capabilities())
    assert client.api_url in client._repr_html_()


def test_no_answer_contains_a_path_of_the_server(client: Client, data_server: DataServer) -> None:
    mark = data_server.recorder.mark()
    jobs = [run(client, name) for name in ("report", "dataset", "table", "image")]
    with http(data_server) as alice:
        for job_id in jobs:
            for url in (f"/jobs/{job_id}", f"/jobs/{job_id}/results"):
                assert alice.get(url).status_code == 200
            alice.get(f"/jobs/{job_id}/results/return_value/")
            alice.get(f"/jobs/{job_id}/results/return_value/missing.key")
        alice.get("/jobs?limit=100")
        for process in ("report", "dataset", "big"):
            alice.get(f"/processes/{process}")
    exchanges = data_server.recorder.since(0)
    assert len(data_server.recorder.since(mark)) > 20
    root = data_server.results_root
    needles = {str(root).encode(), str(root.resolve()).encode(), str(root.parent).encode()}
    for exchange in exchanges:
        for needle in needles:
            assert needle not in exchange.body, (exchange.path, needle)
    documents = [json.loads(e.body) for e in exchanges if e.path.endswith("/results")]
    outputs = [d["return_value"] for d in documents]
    links = [o for o in outputs if isinstance(o, dict) and "href" in o]  # not inline values
    assert len(links) >= 4
    assert all(link["href"].startswith(f"{data_server.url}/jobs/") for link in links)


def test_raw_responses_give_the_file(data_server: DataServer) -> None:
    import pandas as pd

    with http(data_server) as alice:
        raw = alice.post("/processes/table/execution", json={"inputs": {}, "response": "raw"})
        assert raw.status_code == 200
        assert raw.headers["content-type"] == "application/vnd.apache.parquet"
        pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(raw.content)), procs.make_frame())
        zipped = alice.post("/processes/dataset/execution", json={"response": "raw"})
        assert zipped.headers["content-type"] == "application/zip"
        assert "zarr.json" in zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
        linked = alice.post(
            "/processes/report/execution",
            json={
                "response": "raw",
                "outputs": {"return_value": {"transmissionMode": "reference"}},
            },
        )
        assert linked.status_code == 204
        assert linked.links["return_value"]["url"].startswith(f"{data_server.url}/jobs/")
