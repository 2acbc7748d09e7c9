"""``DeployableRegistry``: the built-in processes plus the deployed ones.

The built-in (Python) processes are fixed when the server starts, and they are
what is pickled to the workers. Deployed processes change at run time: the
server keeps them here (from the job store), and a worker gets the package of
each job's deployed process with the job, as a snapshot file in the job's
directory (:data:`SNAPSHOT`), written when the job is claimed. A job thus runs
the version of its process current when it started, even if it is replaced
meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from eoproc.models import ProcessDescription, ProcessSummary
from eoproc.processes import JobContext, ProcessRegistry, UnknownProcessError

from .package import AppPackage
from .process import CwlProcess

SNAPSHOT = ".eoproc-package.json"
"""The file, in a job's directory, holding the package its worker runs."""


class DeployableRegistry(ProcessRegistry):
    """A process registry whose deployed processes can be added, replaced and removed.

    ``revision`` grows with every change of the set of processes (or of one of
    them); listeners added with :meth:`on_change` are called after each change.
    """

    def __init__(self, static: ProcessRegistry | None = None) -> None:
        super().__init__(list(static) if static is not None else ())
        self._deployed: dict[str, CwlProcess] = {}
        self._listeners: list[Callable[[], None]] = []
        self.revision = 0

    def __getstate__(self) -> dict[str, Any]:
        # workers get the built-in processes only; deployed ones travel with their jobs
        return {"static": list(super().__iter__())}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(ProcessRegistry(state["static"]))  # type: ignore[misc]

    # -- the set of processes ----------------------------------------------------------

    def is_builtin(self, process_id: str) -> bool:
        """Whether ``process_id`` is a built-in (immutable) process."""
        return super().__contains__(process_id)

    def deployed(self, process_id: str) -> CwlProcess | None:
        """The deployed process ``process_id``, if there is one."""
        return self._deployed.get(process_id)

    def deployed_ids(self) -> list[str]:
        return list(self._deployed)

    def put(self, process: CwlProcess) -> None:
        """Add or replace a deployed process."""
        if self.is_builtin(process.id):
            raise ValueError(f"{process.id!r} is a built-in process")
        self._deployed[process.id] = process
        self._changed()

    def remove(self, process_id: str) -> bool:
        """Remove a deployed process; whether it was there."""
        if self._deployed.pop(process_id, None) is None:
            return False
        self._changed()
        return True

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every change of the deployed processes."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        self.revision += 1
        for listener in list(self._listeners):
            listener()

    # -- ProcessRegistry, with the deployed processes ----------------------------------

    def __contains__(self, process_id: object) -> bool:
        return super().__contains__(process_id) or process_id in self._deployed

    def __len__(self) -> int:
        return super().__len__() + len(self._deployed)

    def __iter__(self) -> Iterator[Any]:
        return iter([*super().__iter__(), *self._deployed.values()])

    def ids(self) -> list[str]:
        return [*super().ids(), *self._deployed]

    def get(self, process_id: str) -> Any:
        deployed = self._deployed.get(process_id)
        if deployed is not None:
            return deployed
        try:
            return super().get(process_id)
        except UnknownProcessError:
            raise UnknownProcessError(process_id, self.ids()) from None

    def summaries(self) -> list[ProcessSummary]:
        built_in = [
            summary.model_copy(update={"mutable": False}) for summary in super().summaries()
        ]
        return [*built_in, *(p.summary() for p in self._deployed.values())]

    def describe(self, process_id: str) -> ProcessDescription:
        description: ProcessDescription = self.get(process_id).describe()
        if self.is_builtin(process_id):
            description = description.model_copy(update={"mutable": False})
        return description

    def run(
        self,
        process_id: str,
        inputs: Mapping[str, Any],
        ctx: JobContext | None = None,
        outputs: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """Run a process; in a worker, a deployed one comes from the job's snapshot."""
        if self.is_builtin(process_id) or process_id in self._deployed or ctx is None:
            return super().run(process_id, inputs, ctx, outputs)
        snapshot = ctx.output_dir / SNAPSHOT
        if not snapshot.is_file():
            raise UnknownProcessError(process_id, self.ids())
        process = read_snapshot(snapshot)
        if process.id != process_id:
            raise UnknownProcessError(process_id, self.ids())
        return process.run(inputs, ctx, outputs)


def write_snapshot(process: CwlProcess, job_dir: Path) -> None:
    """Give the job in ``job_dir`` the package of its process (see the module docstring)."""
    job_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "package": json.loads(process.package.to_json()),
        "use_container": process.use_container,
    }
    partial = job_dir / (SNAPSHOT + ".partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(job_dir / SNAPSHOT)


def read_snapshot(path: Path) -> CwlProcess:
    """The process a snapshot file holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    package = AppPackage.from_json(json.dumps(data["package"]))
    return CwlProcess(package, use_container=bool(data.get("use_container", True)))
