"""Exceptions raised by the eoproc client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eoproc.models import ApiError, StatusInfo


class EoprocClientError(Exception):
    """Base class of every error the client raises."""


class ConfigError(EoprocClientError, ValueError):
    """The client configuration is invalid or cannot be read or written."""


def invalid_config(error: Exception) -> ConfigError:
    """A one-sentence :class:`ConfigError` for a validation error of the settings."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        parts = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"]) or "configuration"
            message = str(item["msg"]).removeprefix("Value error, ")
            parts.append(f"{where}: {message}")
        text = "; ".join(parts)
    else:
        text = str(error)
    return ConfigError(f"Invalid client configuration: {text.rstrip('.')}.")


class InvalidRequestError(EoprocClientError, TypeError):
    """An execute request of a type the client cannot send (e.g. a number)."""


class ClientError(EoprocClientError):
    """The server answered with an HTTP error status.

    ``status`` is the HTTP status code, ``problem`` the server's problem details
    (RFC 7807) if it sent any; ``problem.traceback`` holds the server's traceback
    when the server was run in debug mode.
    """

    def __init__(
        self,
        status: int,
        problem: ApiError | None = None,
        message: str | None = None,
        *,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.problem = problem
        self.method = method
        self.url = url
        self.message = message or _describe(status, problem)
        super().__init__(self.message)

    @property
    def traceback(self) -> list[str] | None:
        """The server's traceback lines, if it sent them."""
        return self.problem.traceback if self.problem is not None else None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={self.message!r})"


class AuthenticationError(ClientError):
    """Logging in or obtaining an access token failed."""


class TransportError(EoprocClientError):
    """The server could not be reached, or the connection broke or timed out."""

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        self.message = message
        self.method = method
        self.url = url
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class JobFailedError(EoprocClientError):
    """A job that was waited for ended ``failed`` or ``dismissed``."""

    def __init__(self, status: StatusInfo, problem: ApiError | None = None) -> None:
        self.status = status
        self.problem = problem
        self.job_id = status.jobID
        reason = _first_of(
            problem.detail if problem is not None else None,
            problem.title if problem is not None else None,
            status.message,
        )
        verb = "was dismissed" if status.status == "dismissed" else "failed"
        text = f"Job {status.jobID} {verb}"
        self.message = f"{text}: {reason.rstrip('.')}." if reason else f"{text}."
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class JobTimeoutError(EoprocClientError, TimeoutError):
    """A job did not end within the time given to wait for it."""

    def __init__(self, job_id: str, timeout: float, status: StatusInfo | None = None) -> None:
        self.job_id = job_id
        self.timeout = timeout
        self.status = status
        state = f" (still {status.status.value})" if status is not None else ""
        self.message = f"Job {job_id} did not end within {timeout:g} seconds{state}."
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _first_of(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _describe(status: int, problem: ApiError | None) -> str:
    """ "The server answered 404 Not Found (No such job): Job 'x' does not exist."."""
    from http import HTTPStatus

    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    head = f"The server answered {status} {reason}"
    if problem is None:
        return head + "."
    title = (problem.title or "").strip().rstrip(".")
    if title and title.lower() != reason.lower():
        head += f" ({title})"
    detail = (problem.detail or "").strip()
    return f"{head}: {detail.rstrip('.')}." if detail else head + "."
