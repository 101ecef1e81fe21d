from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings


def make_client(tmp_path, **overrides) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", **overrides)
    return TestClient(create_app(settings))


@pytest.fixture
def client(tmp_path):
    """The real app on a fresh SQLite file and the shipped model."""
    with make_client(tmp_path) as test_client:
        yield test_client
