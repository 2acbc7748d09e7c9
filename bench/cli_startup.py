"""Start-up time of the ``sen4cap-client`` command (wall time, medians).

    python bench/cli_startup.py [--runs 15] [--api-url URL] [--cuiman PATH] [--before-src DIR]

Measures ``sen4cap-client --help`` and ``sen4cap-client list-processes`` against
a local eoproc server (started here on a free port unless ``--api-url`` is given),
plus ``python -c pass`` as the floor of this machine. Byte code is compiled
first and kept (``PYTHONDONTWRITEBYTECODE`` is removed), as in a user's install.
Goals: ``--help`` <= 0.20 s, ``list-processes`` <= 0.28 s, and with ``--cuiman``
(the upstream CLI, e.g. ``/tmp/cuiman-venv/bin/cuiman`` after
``pip install cuiman`` in a venv of its own) ``list-processes`` at least 2.5 times
faster than ``cuiman list-processes`` on the same server. ``--before-src`` times
the code of another ``src`` directory too (``PYTHONPATH``), e.g. ``main``'s before a
change. The commands run in turn within each round, so that a change of the
machine's load hits all alike.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"--help": 0.20, "list-processes": 0.28}
RATIO_GOAL = 2.5  # cuiman list-processes / sen4cap-client list-processes


def console_script(name: str) -> str:
    """The installed script beside this interpreter (not a pyenv shim)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed (pip install -e .)")
    return found


def time_runs(
    cases: dict[str, tuple[Sequence[str], dict[str, str]]], runs: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU (user + system) times of ``runs`` rounds, after one warm-up round.

    Each round runs every case once, in turn.
    """
    for command, env in cases.values():
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    times: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in cases}
    for _ in range(runs):
        for label, (command, env) in cases.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[label][0].append(wall)
            times[label][1].append(
                after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            )
    return times


def cuiman_env(env: dict[str, str], url: str, home: Path) -> dict[str, str]:
    """The environment of the upstream CLI, configured for ``url`` in ``home``.

    Its own venv (no ``PYTHONPATH``: eoproc's ``src`` holds a ``gavicore`` too) and
    its own configuration file, as ``cuiman configure`` writes it (cuiman refuses to
    run without one).
    """
    config = home / ".eozilla" / "config"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"api_url: {url}\n", encoding="utf-8")
    own = {k: v for k, v in env.items() if k != "PYTHONPATH" and not k.startswith("SEN4CAP_")}
    own["HOME"] = str(home)
    return own


@contextmanager
def local_server() -> Iterator[str]:
    """A real eoproc server on a free loopback port, for the duration of the block."""
    sys.path.insert(0, str(ROOT))
    from tests.live_server import run_server

    with tempfile.TemporaryDirectory() as tmp, run_server(Path(tmp) / "jobs.db") as server:
        yield server.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--api-url", help="Use this server instead of starting one.")
    parser.add_argument(
        "--cuiman", metavar="PATH", help="The upstream cuiman CLI, to compare list-processes."
    )
    parser.add_argument(
        "--before-src", metavar="DIR", help="Also time the code in DIR (as PYTHONPATH)."
    )
    parser.add_argument(
        "--imports", action="store_true", help="Also show which imports take the time."
    )
    args = parser.parse_args()

    script = console_script("sen4cap-client")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as home:
        env["HOME"] = home  # no user config file
        with local_server() if args.api_url is None else _given(args.api_url) as url:
            env["SEN4CAP_API_URL"] = url
            cases: dict[str, tuple[Sequence[str], dict[str, str]]] = {
                "python -c pass": ([sys.executable, "-c", "pass"], env),
                "sen4cap-client --help": ([script, "--help"], env),
                "sen4cap-client list-processes": ([script, "list-processes"], env),
            }
            if args.before_src:
                before = {**env, "PYTHONPATH": args.before_src}
                cases["before: sen4cap-client --help"] = ([script, "--help"], before)
                cases["before: sen4cap-client list-processes"] = (
                    [script, "list-processes"],
                    before,
                )
            if args.cuiman:
                cases["cuiman list-processes"] = (
                    [args.cuiman, "list-processes"],
                    cuiman_env(env, url, Path(home) / "cuiman"),
                )
            print(f"PYTHONPATH={env.get('PYTHONPATH', '')}")
            print_load()
            print(f"{'':<40}{'wall time':^18}  {'cpu time':>8}")
            print(f"{'command':<40}{'median':>9}{'min':>9}{'median':>10}{'goal':>8}")
            times = time_runs(cases, args.runs)
            for label, (walls, cpus) in times.items():
                goal = GOALS.get(label.removeprefix("sen4cap-client "))
                print(
                    f"{label:<40}{statistics.median(walls):8.3f}s{min(walls):8.3f}s"
                    f"{statistics.median(cpus):9.3f}s{f'{goal:.2f}s' if goal else '':>8}"
                )
            medians = {label: statistics.median(walls) for label, (walls, _) in times.items()}
            prefixes = ("", "before: ") if args.before_src else ("",)
            if args.cuiman:
                for prefix in prefixes:
                    ratio = (
                        medians["cuiman list-processes"]
                        / medians[f"{prefix}sen4cap-client list-processes"]
                    )
                    print(
                        f"{prefix}list-processes: cuiman / sen4cap-client = {ratio:.2f}"
                        f" (goal >= {RATIO_GOAL})"
                    )
            if args.before_src:
                for label in GOALS:
                    ratio = (
                        medians[f"sen4cap-client {label}"]
                        / medians[f"before: sen4cap-client {label}"]
                    )
                    print(f"{label}: now / before = {ratio:.2f}")
            print(f"({args.runs} rounds; wall time is what the goals are about)")
            print_load()
            if args.imports:
                for label in GOALS:
                    print(f"\nimports of sen4cap-client {label} (cumulative, one run):")
                    for name, micros in import_breakdown(script, [label], env)[:12]:
                        print(f"  {name:<40}{micros / 1000:7.1f} ms")


def print_load() -> None:
    """The machine's load average: other work running on the same cores slows every run."""
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


def import_breakdown(
    script: str, args: Sequence[str], env: dict[str, str]
) -> list[tuple[str, int]]:
    """Cumulative import time (microseconds) of each module imported at top level.

    ``-X importtime`` does not time a module loaded by ``importlib.import_module``
    (the lazy names of ``eoproc.models`` and ``eoproc.client``), only its own imports.
    """
    code = (
        "import runpy, sys; "
        f"sys.argv = [{script!r}, *{list(args)!r}]; "
        f"runpy.run_path({script!r}, run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=env,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].startswith(" ") and not parts[2].startswith("  "):
            name = parts[2].strip()
            if name != "imported package":
                rows.append((name, int(parts[1])))
    return sorted(rows, key=lambda row: -row[1])


if __name__ == "__main__":
    main()
