"""Fixtures for `make test-scale`: a real PostgreSQL, a real `chroma run` server, the index on it.

These tests need minutes and server binaries, so plain `make test` skips them with a sentence
saying how to run them. `make test-scale` (tests/scale/run.py) starts the services once, passes
their addresses in COACH_TEST_DATABASE_URL and COACH_TEST_CHROMA_URL, and sets COACH_TEST_SCALE;
run by hand with only COACH_TEST_SCALE=1, the fixtures start their own.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import indexed_settings
from tests.scale.services import ChromaServer, PostgresCluster

HOW_TO_RUN = "scale tests run with `make test-scale` (real PostgreSQL and Chroma server)"
_DATABASES = itertools.count(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("COACH_TEST_SCALE") == "1":
        return
    skip = pytest.mark.skip(reason=HOW_TO_RUN)
    for item in items:
        if "tests/scale/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


def _service_url(
    variable: str, service: type[PostgresCluster] | type[ChromaServer], what: str
) -> Iterator[str]:
    """The URL the runner gave in `variable`, or a throwaway server started here for the run."""
    if os.environ.get(variable):
        yield os.environ[variable]
        return
    why = service.unavailable()
    if why:
        pytest.skip(f"scale tests need {what}: {why}")
    with service() as running:
        yield running.url


@pytest.fixture(scope="session")
def scale_postgres_url() -> Iterator[str]:
    """The PostgreSQL server's admin URL: the runner's, or one started here."""
    yield from _service_url("COACH_TEST_DATABASE_URL", PostgresCluster, "PostgreSQL")


@pytest.fixture(scope="session")
def scale_chroma_url() -> Iterator[str]:
    """The Chroma server's URL: the runner's, or one started here."""
    yield from _service_url("COACH_TEST_CHROMA_URL", ChromaServer, "a Chroma server")


def create_database(admin_url: str) -> str:
    """A fresh database on the server, so tests sharing one server never see each other's rows."""
    import psycopg

    parsed = make_url(admin_url)
    name = f"scale_{os.getpid()}_{next(_DATABASES)}_{uuid.uuid4().hex[:6]}"
    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def scale_database_url(scale_postgres_url: str) -> str:
    return create_database(scale_postgres_url)


@pytest.fixture(scope="session")
def served_settings(tmp_path_factory, scale_chroma_url, embeddings):
    """Settings whose index (the real knowledge base) lives on the Chroma server."""
    data = tmp_path_factory.mktemp("served-index")
    return indexed_settings(data, embeddings, chroma_url=scale_chroma_url)


@pytest.fixture(scope="session")
def served_search(served_settings, embeddings):
    from bot.retrieval.search import KnowledgeSearch

    return KnowledgeSearch(served_settings, embeddings)
