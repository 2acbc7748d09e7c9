"""The S2GOS Python-client walkthrough (seed ``004_cd0befbe1e726fb1.txt``) as a notebook.

Its cells run verbatim, one by one, on a real IPython kernel (nbclient), against
``s2gos-server run -- s2gos_server.services.testing:service`` on a fresh store, which
``Client()`` finds through the environment (``S2GOS_API_URL``), as a user's
configuration would point to it. The notebook runs twice in a row on the same server,
as a user re-running it would: the second clean-up loop dismisses jobs dismissed
before. Each cell's output is checked against the seed's, apart from addresses, times
and what the upstream client prints differently (its ``Client`` repr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_server import LiveServer, run_server
from tests.seeds import seed_cells

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs eoproc[test]")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs eoproc[test]")

# The seed's cells, verbatim (compared with the seed document where it is there).
CELLS = [
    "from s2gos_client import Client\nfrom gavicore.models import ProcessRequest",
    "client = Client()\nclient",
    "client.get_capabilities()",
    "client.get_conformance()",
    "client.get_processes()",
    'client.get_process(process_id="mtr_demo_generation")',
    "client.get_jobs()",
    'client.execute_process(process_id="sleep_a_while", request=ProcessRequest(duration=2))',
    'client.execute_process(process_id="sleep_a_while", request={"fail": True})',
    'client.execute_process(process_id="primes_between", request={})',
    "client.get_jobs()",
    'client.get_job("job_2")',
    '# client.get_job_results("job_1")',
    "for job in client.get_jobs().jobs:\n    client.dismiss_job(job.jobID)",
    "client.get_jobs()",
]

MTR_DESCRIPTION = (
    "description='Generate 3D scene for MTR demo with seasonal variations.\\n\\n"
    "This processor:\\n1. Creates a scene generation configuration based on season/month\\n"
)
CONFORMANCE = (
    "ConformanceDeclaration(conformsTo=["
    "'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core', "
    "'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/ogc-process-description', "
    "'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/json', "
)


def test_the_cells_are_the_seeds() -> None:
    cells = seed_cells("004")
    if cells is not None:  # the seed documents are beside the project (as in CI)
        assert cells == CELLS


@pytest.fixture(scope="module")
def s2gos_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``s2gos-server run -- s2gos_server.services.testing:service`` on a fresh store."""
    store = tmp_path_factory.mktemp("seed-004") / "jobs.db"
    with run_server(
        store,
        "--workers",
        "2",
        service="s2gos_server.services.testing:service",
        cli_module="s2gos_server.cli",
    ) as server:
        yield server


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, s2gos_server: LiveServer) -> str:
    """A kernel spec of this interpreter; the user's environment points at the server."""
    spec_dir = tmp_path / "jupyter" / "kernels" / "eoproc-test"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "eoproc test",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("S2GOS_API_URL", s2gos_server.url)
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    return "eoproc-test"


def run_notebook(kernel: str, cwd: Path) -> list[str]:
    """Run the cells on a new kernel, one by one; each cell's text/plain result ("" if none)."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = nbclient.NotebookClient(
        notebook, kernel_name=kernel, timeout=120, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on an error
    results = []
    for cell in notebook.cells:
        text = ""
        for output in cell.outputs:
            assert output.output_type != "error", output
            if output.output_type == "execute_result":
                text = output.data["text/plain"]
        results.append(text)
    return results


@pytest.mark.slow
def test_seed_004_runs_as_a_notebook_twice(
    kernel_env: str, s2gos_server: LiveServer, tmp_path: Path
) -> None:
    url = s2gos_server.url
    for run in (0, 1):
        out = run_notebook(kernel_env, tmp_path)
        first = 3 * run  # job numbers of this run: the counter never repeats them

        assert out[0] == ""
        assert out[1].startswith(f"Client(api_url='{url}/', profile='s2gos'")
        assert out[2].startswith(
            "Capabilities(title='S2GOS Test-Server', "
            "description='Local DTE-S2GOS process server for testing', "
            f"links=[Link(href='{url}/', rel='self'"
        ), out[2]
        assert out[3].startswith(CONFORMANCE), out[3]
        assert "/conf/dismiss'" in out[3]
        assert out[4].startswith(
            f"ProcessList(processes=[ProcessSummary(title=None, {MTR_DESCRIPTION}"
        ), out[4]
        assert "id='sleep_a_while'" in out[4] and "id='primes_between'" in out[4]
        assert out[5].startswith(f"ProcessDescription(title=None, {MTR_DESCRIPTION}"), out[5]
        assert (
            "Returns:\\n    Path to generated scene description YAML file, or None if "
            "validation fails', keywords=None, metadata=None, additionalParameters=None, "
            "id='mtr_demo_generation', version='0.0.0', jobControlOptions=["
        ) in out[5]

        before = out[6]
        assert before.startswith("JobList(jobs=[")
        assert before.count("status=<JobStatus.dismissed") == first  # the first run's jobs

        for cell, number, process in ((7, first, "sleep_a_while"), (8, first + 1, "sleep_a_while")):
            assert out[cell].startswith(f"StatusInfo(processID='{process}', type='process', "), out[
                cell
            ]
            assert f"jobID='job_{number}'" in out[cell]
        assert f"jobID='job_{first + 2}'" in out[9] and "primes_between" in out[9]

        listed = out[10]
        for number in range(first + 3):
            assert f"jobID='job_{number}'" in listed

        assert out[11].startswith("StatusInfo(processID='primes_between', type='process', ")
        assert "jobID='job_2'" in out[11]
        assert out[12] == "" and out[13] == ""  # the comment; the clean-up loop ran through

        final = out[14]
        assert final.count("StatusInfo(") == first + 3, final
        assert final.count("status=<JobStatus.dismissed: 'dismissed'>") == first + 3, final
