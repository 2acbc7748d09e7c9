"""cwltool as a library: check a CWL document, run a process of it for one job.

cwltool (``pip install 'eoproc[cwl]'``) is imported on use. A document is
always loaded from a file in a private directory (written here, never one the
package names), without ``$schemas`` (which schema-salad would fetch).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import InvalidPackage
from .package import runnable

CONTAINER_ENGINES = ("docker", "podman")
_LOAD_LOCK = threading.Lock()


class CwlUnavailable(RuntimeError):
    """cwltool is not installed."""


def require_cwltool() -> None:
    """Raise :class:`CwlUnavailable` (with the command that fixes it) without cwltool."""
    try:
        import cwltool  # noqa: F401
    except ImportError:
        raise CwlUnavailable(
            "Deploying CWL processes needs cwltool: pip install 'eoproc[cwl]'"
        ) from None


@functools.cache
def container_engine() -> str | None:
    """``docker`` or ``podman`` when one is installed and answers, else ``None``."""
    for name in CONTAINER_ENGINES:
        path = shutil.which(name)
        if path is None:
            continue
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(
                [path, "info"],
                capture_output=True,
                timeout=15,
                check=False,
                stdin=subprocess.DEVNULL,
            )
            if done.returncode == 0:
                return name
    return None


def write_document(document: dict[str, Any], directory: Path) -> Path:
    """``document`` (as cwltool should see it) in ``directory/package.cwl``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "package.cwl"
    path.write_text(json.dumps(runnable(document)), encoding="utf-8")
    return path


def load(path: Path, target: str | None) -> Any:
    """The cwltool process object of ``target`` (``None``: the document) in ``path``."""
    from cwltool.context import LoadingContext
    from cwltool.load_tool import load_tool
    from cwltool.workflow import default_make_tool

    uri = path.as_uri() + (f"#{target}" if target else "")
    context = LoadingContext({"strict": True, "construct_tool_object": default_make_tool})
    with _LOAD_LOCK:  # schema-salad's caches are shared
        return load_tool(uri, context)


def cwl_error_text(exc: BaseException, path: Path) -> str:
    """cwltool's message with the private file's URI shortened to ``package.cwl``."""
    text = str(exc).strip() or type(exc).__name__
    for form in (path.as_uri(), str(path)):
        text = text.replace(form, "package.cwl")
    return re.sub(r"\n\s*\n", "\n", text)


def check_document(document: dict[str, Any], target: str | None) -> None:
    """Load the document with cwltool (schema and semantics); :class:`InvalidPackage` if invalid."""
    require_cwltool()
    with tempfile.TemporaryDirectory(prefix="eoproc-cwl-check-") as tmp:
        path = write_document(document, Path(tmp))
        try:
            load(path, target)
        except Exception as exc:  # schema-salad and cwltool raise several kinds
            raise InvalidPackage(
                f"The CWL document is invalid: {cwl_error_text(exc, path)}"
            ) from None


class StepProgress(logging.Handler):
    """Turns cwltool's log of a run into job progress: one share per top-level step."""

    _STEP = re.compile(r"^\[step ([^\]]+)\] (start|completed (\w+))")

    def __init__(self, report: Any, steps: list[str]) -> None:
        super().__init__(logging.INFO)
        self.report = report
        self.steps = steps
        self.done: set[str] = set()
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a bad log call of cwltool must not stop the job
            return
        if record.levelno >= logging.WARNING:
            self.errors = [*self.errors[-19:], message[:2000]]
        found = self._STEP.match(message)
        if found is None or found.group(1) not in self.steps:
            return
        step = found.group(1)
        total = max(1, len(self.steps))
        if found.group(2) == "start":
            percent = 5 + 90 * len(self.done) / total
            self.report(percent, f"Running step {step} ({len(self.done) + 1}/{total})")
        else:
            self.done.add(step)
            percent = 5 + 90 * len(self.done) / total
            self.report(percent, f"Step {step} {found.group(3)} ({len(self.done)}/{total})")

    @contextlib.contextmanager
    def attached(self) -> Iterator[StepProgress]:
        """Listen to cwltool's logger inside the block."""
        logger = logging.getLogger("cwltool")
        logger.addHandler(self)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        try:
            yield self
        finally:
            logger.removeHandler(self)


def execute(
    path: Path,
    target: str | None,
    job_order: dict[str, Any],
    work: Path,
    outdir: Path,
    *,
    use_container: bool,
    progress: StepProgress,
) -> dict[str, Any]:
    """Run the process in ``path`` on ``job_order``; its CWL output object.

    Temporary and intermediate directories live under ``work`` (the job's own);
    final outputs are moved into ``outdir``.
    """
    from cwltool.context import RuntimeContext
    from cwltool.executors import SingleJobExecutor

    tool = load(path, target)
    for name in ("tmp", "stage", "out"):
        (work / name).mkdir(parents=True, exist_ok=True)
    runtime = RuntimeContext(
        {
            "basedir": str(work),
            "outdir": str(outdir),
            "tmpdir_prefix": str(work / "tmp") + "/",
            "stagedir": str(work / "stage"),
            "tmp_outdir_prefix": str(work / "out") + "/",
            "use_container": use_container,
            "move_outputs": "move",
            "rm_tmpdir": True,
            "on_error": "stop",
        }
    )
    with progress.attached():
        outputs, status = SingleJobExecutor()(
            tool, job_order, runtime, logger=logging.getLogger("cwltool")
        )
    if status != "success" or outputs is None:
        detail = "; ".join(progress.errors[-5:]) or "see the server log"
        raise CwlRunFailed(f"The CWL run ended with status {status}: {detail}")
    return dict(outputs)


class CwlRunFailed(RuntimeError):
    """A CWL run did not succeed."""
