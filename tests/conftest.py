"""Shared fixtures: the shipped model (loaded once), the shared data folder, the base tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotrace.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier
from emotrace.paths import DEFAULT_DATA_ROOT

DATA_ROOT = DEFAULT_DATA_ROOT


@pytest.fixture(scope="session")
def classifier() -> EmotionClassifier:
    """The shipped model, as a fresh install loads it."""
    return EmotionClassifier.from_pretrained(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The shared training/evaluation data (``../shared/data``)."""
    if not DATA_ROOT.is_dir():
        pytest.fail(f"shared data not found at {DATA_ROOT}: clone the repo next to ../shared")
    return DATA_ROOT


POSTGRES_URL_ENV = "EMOTRACE_TEST_POSTGRES_URL"


def _fresh_postgres_database(admin_url: str) -> tuple[str, object]:
    """Create a uniquely named database; returns its URL and a function that drops it."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"emotrace_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh empty database: a SQLite file, and a PostgreSQL database when the server is available.

    CI starts PostgreSQL and sets EMOTRACE_TEST_POSTGRES_URL (and EMOTRACE_REQUIRE_POSTGRES=1, so a missing
    server fails instead of skipping)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'emotrace.db'}"
        return
    yield from _postgres_database()


@pytest.fixture
def postgres_url():
    """A fresh empty PostgreSQL database (same rules as ``database_url``)."""
    yield from _postgres_database()


def _postgres_database():
    import os

    admin_url = os.environ.get(POSTGRES_URL_ENV)
    if not admin_url:
        if os.environ.get("EMOTRACE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{POSTGRES_URL_ENV} is not set but PostgreSQL tests are required")
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_URL_ENV} unset; run .ci/start-postgres.sh)")
    url, drop = _fresh_postgres_database(admin_url)
    yield url
    drop()
