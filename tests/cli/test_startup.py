"""What only a console script does to start fast: unused modules out, no collections."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

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
