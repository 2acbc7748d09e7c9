"""What only a console script does to start fast: unused modules out, no collections."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from tests.cli.conftest import Runner, script_path

PROBE = """
import gc, json, sys
from eoproc.cli.startup import collect_while_waiting, console_script

seen = {"enabled_before": gc.isenabled()}
with console_script():
    import httpx
    seen["enabled_inside"] = gc.isenabled()
    seen["async_back_ends"] = [m for m in ("trio", "anyio") if sys.modules.get(m) is not None]
    seen["httpx_works"] = httpx.Client is not None
    collect_while_waiting()
    seen["enabled_waiting"] = gc.isenabled()
    gc.disable()
seen["frozen_after"] = gc.get_freeze_count() > 0
print(json.dumps(seen))
"""


def test_console_script_settings_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == {
        "enabled_before": True,
        "enabled_inside": False,
        "async_back_ends": [],
        "httpx_works": True,
        "enabled_waiting": True,
        "frozen_after": True,
    }


def test_waiting_outside_a_console_script_changes_nothing() -> None:
    from eoproc.cli.startup import collect_while_waiting

    frozen = gc.get_freeze_count()
    collect_while_waiting()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


# Modules a yaml listing has no use for; each one cost start-up time once.
NOT_NEEDED = (
    "anyio",  # httpcore's async back ends
    "trio",
    "click",  # httpx's command line
    "pygments",
    "rich",  # tables, progress bars and help pages only
    "jsonschema",  # validate-request only
    "eoproc.models.execute",  # models of other commands
    "eoproc.models.job",
    "eoproc.cli.commands.jobs",  # other commands
    "eoproc.cli.commands.configure",
)


def test_a_listing_imports_only_what_it_needs(cli: Runner) -> None:
    """Regression guard of the start-up time, without measuring time."""
    script = script_path("sen4cap-client")
    code = (
        "import atexit, json, runpy, sys\n"
        "loaded = lambda: sorted(name for name, m in sys.modules.items() if m is not None)\n"
        "atexit.register(lambda: print(json.dumps(loaded()), file=sys.stderr))\n"
        f"sys.argv = [{script!r}, 'list-processes']\n"
        f"runpy.run_path({script!r}, run_name='__main__')\n"
    )
    result = cli("-c", code, script=sys.executable)
    assert result.code == 0, result
    imported = json.loads(result.stderr.splitlines()[-1])
    assert "eoproc.models.process" in imported
    unwanted = [m for m in imported if m in NOT_NEEDED or m.split(".")[0] in NOT_NEEDED]
    assert unwanted == []
