"""Fixtures of the reliability tests: those of the job-service tests."""

from tests.jobs.conftest import make_service, make_store

__all__ = ["make_service", "make_store"]
