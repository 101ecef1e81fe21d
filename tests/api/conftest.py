from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from emotrace.api.app import create_app
from emotrace.settings import Settings

LOOPBACK_CLIENT = ("127.0.0.1", 50_000)


def make_client(tmp_path, client_address: tuple[str, int] = LOOPBACK_CLIENT, **overrides) -> TestClient:
    """The real app on a SQLite file under ``tmp_path``, called from ``client_address`` (default: loopback)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", **overrides)
    return TestClient(create_app(settings), client=client_address)


@pytest.fixture
def client(tmp_path):
    """The real app on a fresh SQLite file and the shipped model."""
    with make_client(tmp_path) as test_client:
        yield test_client
