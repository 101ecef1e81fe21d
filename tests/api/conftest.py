from __future__ import annotations

from functools import cache

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from emotrace.api.app import create_app
from emotrace.model.classifier import EmotionClassifier
from emotrace.settings import Settings

LOOPBACK_CLIENT = ("127.0.0.1", 50_000)
LOOPBACK_URL = "http://127.0.0.1"  # requests name this machine, as a browser on it does (not "testserver")
MODEL_SETTINGS = {"model_dir", "threads", "batch_size"}


@cache
def shared_classifier() -> EmotionClassifier:
    """The shipped model, loaded once for every app the tests start, as the service loads it."""
    settings = Settings()
    return EmotionClassifier.from_pretrained(settings.model_dir, threads=settings.threads,
                                             batch_size=settings.batch_size, spin_wait=False)


def app_for(settings: Settings) -> FastAPI:
    """The real app for ``settings``, serving the shared model unless the settings name another."""
    own_model = MODEL_SETTINGS & settings.model_fields_set
    return create_app(settings, None if own_model else shared_classifier())


def local_client(app: FastAPI, client_address: tuple[str, int] = LOOPBACK_CLIENT, **options: bool) -> TestClient:
    """A test client of ``app`` as a browser or tool on this machine calls it: from ``client_address`` (default:
    loopback), naming the host 127.0.0.1 (keyless, the service serves requests to this machine's own name only)."""
    return TestClient(app, client=client_address, base_url=LOOPBACK_URL, **options)


def make_client(tmp_path, client_address: tuple[str, int] = LOOPBACK_CLIENT, **overrides) -> TestClient:
    """The real app on a SQLite file under ``tmp_path``, called from ``client_address`` (default: loopback)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", **overrides)
    return local_client(app_for(settings), client_address)


@pytest.fixture
def client(tmp_path):
    """The real app on a fresh SQLite file and the shipped model."""
    with make_client(tmp_path) as test_client:
        yield test_client
