"""The endpoints of OGC API - Processes - Part 2: Deploy, Replace, Undeploy.

``POST /processes`` (deploy), ``PUT /processes/{id}`` (replace), ``DELETE
/processes/{id}`` (undeploy) and ``GET /processes/{id}/package``. With
authentication, the first three need the deployer role (or the admin role);
without authentication (a server on loopback) anyone may deploy.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from eoproc.server import links as L
from eoproc.server.auth.users import User
from eoproc.server.deps import CurrentUser
from eoproc.server.handlers import json_response
from eoproc.server.problems import PROBLEM_JSON

from .errors import DeployForbidden
from .package import MEDIA_TYPES, AppPackage

_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ApiError"}}}
_ERRORS = {
    400: "Invalid package (malformed, invalid CWL, description not matching the CWL)",
    403: "Not allowed (role missing), or an immutable built-in process",
    404: "No such process",
    409: "A process of that id exists, or the process has active jobs",
    413: "Package too large",
    415: "Unsupported media type",
    500: "Internal error",
}
_BODY = {
    "required": True,
    "description": "An OGC Application Package, or a CWL document.",
    "content": {media: {"schema": {"type": "object"}} for media in MEDIA_TYPES},
}
_W = {
    "name": "w",
    "in": "query",
    "required": False,
    "description": "The id of the process to deploy in a CWL $graph (default: main, or the first).",
    "schema": {"type": "string"},
}


class DeployerRole(Protocol):
    """The part of the deploy options the routes read."""

    @property
    def deployer_role(self) -> str: ...


class Deployer(Protocol):
    """What the routes need of the service that deploys (a ``DeployingJobService``)."""

    @property
    def deploy_options(self) -> DeployerRole: ...

    async def read_package(
        self,
        body: bytes,
        content_type: str | None,
        *,
        w: str | None = None,
        process_id: str | None = None,
        fetcher: Any = None,
    ) -> AppPackage: ...

    async def deploy(self, package: AppPackage, owner: str | None = None) -> Any: ...

    async def replace(self, package: AppPackage, owner: str | None = None) -> None: ...

    async def undeploy(self, process_id: str) -> None: ...

    async def get_package(self, process_id: str) -> tuple[str, str]: ...


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"description": _ERRORS[code], "content": _PROBLEM} for code in (*codes, 500)}


def build_deploy_router(
    service: Deployer, *, admin_role: str = "admin", fetcher: Any = None
) -> APIRouter:
    """The Part 2 routes over ``service`` (``fetcher``: for execution units by reference)."""
    router = APIRouter()
    role = service.deploy_options.deployer_role

    def check_role(user: User | None) -> str | None:
        if user is None:
            return None
        if not (user.has_role(role) or user.has_role(admin_role)):
            raise DeployForbidden(
                f"Deploying, replacing and undeploying processes need the role {role!r}."
            )
        return user.name

    @router.post(
        "/processes",
        summary="Deploy a process",
        operation_id="deploy",
        tags=["DRU"],
        status_code=201,
        responses={
            201: {"description": "The process is deployed"},
            **_errors(400, 403, 409, 413, 415),
        },
        openapi_extra={"requestBody": _BODY, "parameters": [_W]},
    )
    async def deploy(request: Request, current_user: CurrentUser) -> Response:
        user = check_role(current_user)
        package = await service.read_package(
            await request.body(),
            request.headers.get("content-type"),
            w=request.query_params.get("w"),
            fetcher=fetcher,
        )
        summary = await service.deploy(package, user)
        base = str(request.base_url)
        url = f"{base}processes/{quote(summary.id)}"
        body = summary.to_dict()
        body["links"] = [L.link(url, "self", title="Process description")]
        return json_response(body, 201, {"Location": url})

    @router.put(
        "/processes/{processID}",
        summary="Replace a process",
        operation_id="replace",
        tags=["DRU"],
        status_code=204,
        responses={
            204: {"description": "The process is replaced"},
            **_errors(400, 403, 404, 413, 415),
        },
        openapi_extra={"requestBody": _BODY, "parameters": [_W]},
    )
    async def replace(processID: str, request: Request, current_user: CurrentUser) -> Response:
        user = check_role(current_user)
        package = await service.read_package(
            await request.body(),
            request.headers.get("content-type"),
            w=request.query_params.get("w"),
            process_id=processID,
            fetcher=fetcher,
        )
        await service.replace(package, user)
        return Response(status_code=204)

    @router.delete(
        "/processes/{processID}",
        summary="Undeploy a process",
        operation_id="undeploy",
        tags=["DRU"],
        status_code=204,
        responses={204: {"description": "The process is undeployed"}, **_errors(403, 404, 409)},
    )
    async def undeploy(processID: str, current_user: CurrentUser) -> Response:
        check_role(current_user)
        await service.undeploy(processID)
        return Response(status_code=204)

    @router.get(
        "/processes/{processID}/package",
        summary="The application package of a deployed process",
        operation_id="getPackage",
        tags=["DRU"],
        responses={200: {"description": "The package as deployed"}, **_errors(404)},
    )
    async def package(processID: str) -> Response:
        body, media_type = await service.get_package(processID)
        return Response(body.encode("utf-8"), media_type=media_type)

    return router
