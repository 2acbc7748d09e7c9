"""Every kind of output round-trips: process return value -> server -> client object."""

from __future__ import annotations

from typing import Any

import geopandas
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from geopandas.testing import assert_geodataframe_equal

from eoproc.client import Client
from eoproc.openers import NoOpenerError

from . import procs
from .conftest import DataServer


def run(client: Client, process: str, media_type: str | None = None, **output: Any) -> str:
    """Execute ``process`` (asking ``media_type`` for its output), wait; the job id."""
    wanted: dict[str, Any] = dict(output)
    if media_type:
        wanted["format"] = {"mediaType": media_type}
    outputs = {"return_value": wanted} if wanted else None
    job = client.execute_process(process, {}, outputs=outputs, mode="async")
    client.wait_for_job(job.jobID, timeout=120)
    return job.jobID


def test_xarray_dataset_as_zarr(client: Client) -> None:
    job_id = run(client, "dataset")
    link = client.get_job_results(job_id)["return_value"]
    assert link["type"] == "application/vnd+zarr"
    assert link["href"] == f"{client.api_url}jobs/{job_id}/results/return_value"
    opened = client.open_job_result(job_id)
    assert isinstance(opened, xr.Dataset)
    xr.testing.assert_identical(opened, procs.make_dataset())


def test_xarray_dataset_as_netcdf(client: Client) -> None:
    job_id = run(client, "dataset", "application/x-netcdf")
    assert client.get_job_results(job_id)["return_value"]["type"] == "application/x-netcdf"
    xr.testing.assert_identical(client.open_job_result(job_id), procs.make_dataset())


def test_xarray_dataarray(client: Client) -> None:
    opened = client.open_job_result(run(client, "dataarray"))
    assert isinstance(opened, xr.DataArray)
    xr.testing.assert_identical(opened, procs.make_dataarray())


@pytest.mark.parametrize("media_type", [None, "text/csv"])
def test_pandas(client: Client, media_type: str | None) -> None:
    opened = client.open_job_result(run(client, "table", media_type))
    pd.testing.assert_frame_equal(opened, procs.make_frame())


@pytest.mark.parametrize("media_type", [None, "application/geo+json"])
def test_geopandas(client: Client, media_type: str | None) -> None:
    opened = client.open_job_result(run(client, "geotable", media_type))
    assert isinstance(opened, geopandas.GeoDataFrame)
    expected = procs.make_geoframe()
    assert_geodataframe_equal(opened[list(expected.columns)], expected, check_less_precise=True)


def test_numpy_as_npy_and_as_json(client: Client) -> None:
    opened = client.open_job_result(run(client, "array"))
    np.testing.assert_array_equal(opened, procs.make_array())
    assert opened.dtype == np.float64 and opened.shape == (2, 3, 4)
    job_id = run(client, "small_array")
    assert client.get_job_results(job_id)["return_value"] == procs.make_array().tolist()
    assert client.open_job_result(job_id) == procs.make_array().tolist()


def test_pil_image(client: Client) -> None:
    job_id = run(client, "image")
    assert client.get_job_results(job_id)["return_value"]["type"] == "image/png"
    opened = client.open_job_result(job_id)
    assert opened.format == "PNG" and opened.size == (16, 8)
    np.testing.assert_array_equal(np.asarray(opened), np.asarray(procs.make_image()))


def test_path_and_value_transmission(client: Client) -> None:
    job_id = run(client, "report")
    link = client.get_job_results(job_id)["return_value"]
    assert link["type"] == "text/plain" and link["length"] == 9
    assert client.open_job_result(job_id) == "all good\n"
    by_value = run(client, "table", "text/csv", transmissionMode="value")
    qualified = client.get_job_results(by_value)["return_value"]
    assert qualified["mediaType"] == "text/csv" and qualified["encoding"] == "base64"
    pd.testing.assert_frame_equal(client.open_job_result(by_value), procs.make_frame())


def test_unknown_media_type_names_it(client: Client) -> None:
    job_id = run(client, "blob")
    with pytest.raises(NoOpenerError) as caught:
        client.open_job_result(job_id)
    assert "'application/x-eoproc-test'" in str(caught.value)
    assert "pip install 'eoproc[data]'" in str(caught.value)


def test_an_unknown_media_type_asked_is_400(client: Client) -> None:
    from eoproc.client import ClientError

    with pytest.raises(ClientError) as caught:
        client.execute_process(
            "table", {}, outputs={"return_value": {"format": {"mediaType": "image/png"}}}
        )
    assert caught.value.status == 400
    assert "'image/png' is not offered" in str(caught.value)


def test_descriptions_advertise_media_types(client: Client) -> None:
    table = client.get_process("table").to_dict()
    assert table["outputTransmission"] == ["value", "reference"]
    schema = table["outputs"]["return_value"]["schema"]
    assert [s["contentMediaType"] for s in schema["oneOf"]] == [
        "application/vnd.apache.parquet",
        "text/csv",
    ]
    dataset = client.get_process("dataset").to_dict()["outputs"]["return_value"]["schema"]
    assert [s["contentMediaType"] for s in dataset["oneOf"]] == [
        "application/vnd+zarr",
        "application/x-netcdf",
    ]


async def test_async_client_opens_results(data_server: DataServer) -> None:
    from eoproc.client import AsyncClient, AuthConfig, ClientConfig

    with data_server.client() as sync:
        zarr_job, table_job = run(sync, "dataset"), run(sync, "table")
    auth = AuthConfig(type="api-key", api_key="alice-key-0123456789abcdef")
    async with AsyncClient(ClientConfig(api_url=data_server.url, auth=auth)) as client:
        xr.testing.assert_identical(await client.open_job_result(zarr_job), procs.make_dataset())
        frame = await client.open_job_result(table_job, "return_value")
        pd.testing.assert_frame_equal(frame, procs.make_frame())
