"""The FastAPI dependencies of the routes: who is asking, and the service as they see it.

``create_app`` keeps the service, its :class:`~.security.guard.Guard` and the
process cache in ``app.state``; :class:`~.auth.middleware.Authenticate` puts the
request's user in the ASGI scope. Routes declare what they need::

    async def job_status(jobID: str, service: UserService) -> Response: ...

The dependencies are ``async``: they do no I/O, and FastAPI would run plain
functions in its thread pool (a thread hop per dependency and request).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .auth.users import User
from .process_cache import ProcessCache
from .security.guard import Guard, GuardedService
from .service import Service


async def current_user(request: Request) -> User | None:
    """The authenticated user of the request (``None``: authentication is off, or anonymous
    on a public path)."""
    user: User | None = request.scope.get("user")
    return user


async def user_service(request: Request) -> GuardedService:
    """The service as the request's user may see it (their jobs, the processes they may run)."""
    policy: Guard = request.app.state.guard
    return policy.for_user(request.scope.get("user"))


async def backend(request: Request) -> Service:
    """The service itself, for its optional capabilities (events, callbacks, conformance);
    check access through :func:`user_service` first."""
    service: Service = request.app.state.service
    return service


async def process_cache(request: Request) -> ProcessCache:
    """The process descriptions reused for execution requests."""
    cache: ProcessCache = request.app.state.processes
    return cache


CurrentUser = Annotated[User | None, Depends(current_user)]
UserService = Annotated[GuardedService, Depends(user_service)]
Backend = Annotated[Service, Depends(backend)]
Processes = Annotated[ProcessCache, Depends(process_cache)]

__all__ = [
    "Backend",
    "CurrentUser",
    "Processes",
    "UserService",
    "backend",
    "current_user",
    "process_cache",
    "user_service",
]
