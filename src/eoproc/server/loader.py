"""Resolve the server's SERVICE argument (``module:attr``) into a :class:`Service`."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .service import Service

DEFAULT_SERVICE = "eoproc.processes.demo:demo"


class ServiceLoadError(Exception):
    """SERVICE cannot be turned into a service; the message is one line for the user."""


@dataclass(frozen=True)
class ServiceOptions:
    """Options of the job service given on the command line (``None`` = its default)."""

    store_url: str | None = None
    workers: int | None = None
    max_queued: int | None = None
    executor: str | None = None
    dask_scheduler: str | None = None
    keep_finished: float | None = None
    results_dir: str | None = None
    lease: float | None = None
    job_timeout: float | None = None
    job_control: str | None = None
    job_ids: str | None = None
    title: str | None = None
    description: str | None = None
    deploy: Any = None
    """``eoproc.deploy.DeployOptions``: also deploy processes at run time (Part 2)."""
    warnings: list[str] = field(default_factory=list)

    def given(self) -> dict[str, Any]:
        """The job-service options that were given."""
        values = {
            "store_url": self.store_url,
            "workers": self.workers,
            "max_queued": self.max_queued,
            "executor": self.executor,
            "dask_scheduler": self.dask_scheduler,
            "keep_finished": self.keep_finished,
            "results_dir": self.results_dir,
            "lease": self.lease,
            "job_timeout": self.job_timeout,
            "job_control": self.job_control,
            "job_ids": self.job_ids,
        }
        return {key: value for key, value in values.items() if value is not None}


def import_object(spec: str) -> Any:
    """The object named ``module:attr`` (``attr`` may be dotted).

    The working directory is put on the import path first (as ``python -m`` and
    uvicorn's ``--app-dir .`` do), so that ``mymodule:registry`` is found there.
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ServiceLoadError(
            f"SERVICE must be 'module:attribute' (e.g. {DEFAULT_SERVICE}), not {spec!r}"
        )
    if "" not in sys.path and os.getcwd() not in sys.path:
        # modules of the working directory are found, as with `python -m` (and uvicorn)
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ServiceLoadError(
            f"cannot import module {module_name!r} of SERVICE {spec!r}: {exc}"
        ) from None
    except Exception as exc:  # a broken module: report it in one line
        raise ServiceLoadError(
            f"importing module {module_name!r} of SERVICE {spec!r} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    target: Any = module
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ServiceLoadError(
                f"module {module_name!r} has no attribute {attr!r} (SERVICE {spec!r})"
            ) from None
    return target


def _is_registry(value: Any) -> bool:
    try:
        from eoproc.processes import ProcessRegistry
    except ImportError:  # pragma: no cover - the process framework is part of eoproc
        return False
    return isinstance(value, ProcessRegistry)


def _is_service(value: Any) -> bool:
    return not isinstance(value, type) and isinstance(value, Service)


def load_service(
    spec: str | None, args: Sequence[str] = (), options: ServiceOptions | None = None
) -> Service:
    """The service named by ``spec`` (default: the demo registry), configured by ``options``.

    ``spec`` names a :class:`Service`, a ``ProcessRegistry`` (served by the local
    job service) or a factory called with ``args`` (the SERVICE-ARGS) that
    returns either. Raises :class:`ServiceLoadError` with a one-line message.
    """
    options = options or ServiceOptions()
    spec = spec or DEFAULT_SERVICE
    target = import_object(spec)
    if not (_is_service(target) or _is_registry(target)) and callable(target):
        try:
            target = target(*args)
        except Exception as exc:
            raise ServiceLoadError(
                f"the factory {spec!r} failed: {type(exc).__name__}: {exc}"
            ) from exc
    elif args:
        raise ServiceLoadError(
            f"SERVICE {spec!r} is not a factory, so it takes no SERVICE-ARGS "
            f"(got {' '.join(args)!r})"
        )
    if _is_registry(target):
        return _local_service(target, options)
    if _is_service(target):
        if options.deploy is not None:
            raise ServiceLoadError(
                f"--deploy needs a ProcessRegistry as SERVICE; {spec!r} is a Service"
            )
        _configure(target, options, spec)
        return target
    raise ServiceLoadError(
        f"SERVICE {spec!r} is a {type(target).__name__}, neither a Service nor a ProcessRegistry"
    )


def _local_service(registry: Any, options: ServiceOptions) -> Service:
    try:
        from eoproc.jobs import LocalJobService
    except ImportError as exc:
        raise ServiceLoadError(
            f"the local job service is not available ({exc}); install eoproc[server]"
        ) from exc
    extra = {"title": options.title, "description": options.description}
    kwargs = {**options.given(), **{k: v for k, v in extra.items() if v is not None}}
    try:
        if options.deploy is not None:
            service = _deploying_service(registry, options.deploy, kwargs)
        else:
            service = LocalJobService(registry, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ServiceLoadError(f"cannot create the job service: {exc}") from exc
    return service


def _deploying_service(registry: Any, deploy: Any, kwargs: dict[str, Any]) -> Service:
    from eoproc.deploy.engine import CwlUnavailable

    try:
        from eoproc.deploy.service import DeployingJobService

        return DeployingJobService(registry, deploy=deploy, **kwargs)
    except CwlUnavailable as exc:
        raise ServiceLoadError(str(exc)) from None


def _configure(service: Service, options: ServiceOptions, spec: str) -> None:
    given = options.given()
    if not given:
        return
    configure = getattr(service, "configure", None)
    if configure is None:
        flags = {
            "store_url": "--store",
            "workers": "--workers",
            "max_queued": "--max-queued",
            "executor": "--executor",
            "dask_scheduler": "--scheduler",
            "keep_finished": "--keep-finished",
            "results_dir": "--results-dir",
            "lease": "--lease",
            "job_timeout": "--job-timeout",
            "job_control": "--job-control",
            "job_ids": "--job-ids",
        }
        names = ", ".join(flags[name] for name in given)
        print(
            f"Warning: SERVICE {spec!r} cannot be configured; ignoring {names}",
            file=sys.stderr,
        )
        return
    try:
        configure(**given)
    except (TypeError, ValueError) as exc:
        raise ServiceLoadError(f"cannot configure SERVICE {spec!r}: {exc}") from exc
