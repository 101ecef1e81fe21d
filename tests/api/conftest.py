from __future__ import annotations

import fcntl
import os
import sqlite3
from functools import cache
from pathlib import Path

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


@pytest.fixture(scope="session")
def demo_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo floor as ``serve --demo`` stores it on a new SQLite file, built once per run: the workers of one run
    (xdist's, when it runs them) share the file, built by the first under a lock (its load reads every demo turn
    through the model). Tests read copies of it (:func:`copy_of`)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if hasattr(request.config, "workerinput") else base  # an xdist worker's: the run's folder
    built = shared / "demo.db"
    with (shared / "demo.db.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            building = shared / f"demo.building-{os.getpid()}.db"  # a worker's build that failed is not read on
            with local_client(app_for(Settings(database_url=f"sqlite:///{building}", demo=True))):
                pass
            copy_of(building, shared / f"demo.built-{os.getpid()}.db").replace(built)  # whole, or not there
    return built


def copy_of(database: Path, copy: Path) -> Path:
    """``database`` copied whole to ``copy`` (SQLite's backup: what its write-ahead log holds too)."""
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy
