"""Shared fixtures: the shipped model (loaded once), a tiny model of its own labels, the shared data folder, the base
tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emotrace.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier
from emotrace.paths import DEFAULT_DATA_ROOT

DATA_ROOT = DEFAULT_DATA_ROOT


@pytest.fixture(scope="session")
def classifier() -> EmotionClassifier:
    """The shipped model, as a fresh install loads it."""
    return EmotionClassifier.from_pretrained(DEFAULT_MODEL_DIR)


OWN_LABEL_ROWS = [
    ("Thanks, that solved it!", "gratitude"), ("Please refund my order, it never came", "refund_request"),
    ("I want my money back for the broken kettle", "refund_request"), ("You are all useless", "anger"),
    ("Thank you so much for the quick help", "gratitude"), ("Refund me now, the item is faulty", "refund_request"),
    ("This makes me so angry", "anger"), ("Cheers, great support", "gratitude")] * 4


MARKED_MODEL_MAX_LENGTH = 384  # the shipped tokenizer says 512: what marks the start of mapped_labels_model
OWN_LABEL_MAPPING = "label,ekman,sentiment,satisfaction\nanger,anger,negative,dissatisfied\n" \
    "gratitude,joy,positive,satisfied\nrefund_request,neutral,negative,dissatisfied\n"


def _train_own_labels(folder: Path, *extra: str, from_model: Path = DEFAULT_MODEL_DIR,
                      rows: list[tuple[str, str]] = OWN_LABEL_ROWS) -> Path:
    """``emotrace train --data`` on ``rows`` (default :data:`OWN_LABEL_ROWS`) from ``from_model``, two steps; the
    model directory (the run folder, a 260 MB checkpoint the tests never read, is removed)."""
    import shutil

    from typer.testing import CliRunner

    from emotrace.cli import app

    data = folder / "rows.jsonl"
    data.write_text("".join(json.dumps({"text": f"{t} ({i})", "labels": label}) + "\n"
                            for i, (t, label) in enumerate(rows)), encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--data", str(data), "--from-model", str(from_model),
                                      "--output", str(folder / "run"), "--model-dir", str(folder / "model"),
                                      "--max-steps", "2", "--batch-size", "8", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr[-2000:]
    shutil.rmtree(folder / "run")
    return folder / "model"


@pytest.fixture(scope="session")
def own_labels_model(tmp_path_factory) -> Path:
    """A model of its own labels (anger, gratitude, refund_request): ``emotrace train --data`` from the shipped model,
    two steps (about 20 s). It has no Ekman or sentiment view."""
    return _train_own_labels(tmp_path_factory.mktemp("own-labels"))


@pytest.fixture(scope="session")
def mapped_labels_model(tmp_path_factory) -> Path:
    """The same labels trained with ``--mapping`` (:data:`OWN_LABEL_MAPPING`): Ekman, sentiment and satisfaction
    leaning views. It starts from a copy of the shipped model whose tokenizer is marked
    (:data:`MARKED_MODEL_MAX_LENGTH`), so a test can tell which tokenizer training read."""
    import shutil

    folder = tmp_path_factory.mktemp("mapped-labels")
    mapping = folder / "mapping.csv"
    mapping.write_text(OWN_LABEL_MAPPING, encoding="utf-8")
    start = folder / "start"
    shutil.copytree(DEFAULT_MODEL_DIR, start)
    config = json.loads((start / "tokenizer_config.json").read_text(encoding="utf-8"))
    (start / "tokenizer_config.json").write_text(json.dumps({**config, "model_max_length": MARKED_MODEL_MAX_LENGTH}),
                                                encoding="utf-8")
    return _train_own_labels(folder, "--mapping", str(mapping), from_model=start)


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The shared training/evaluation data (``../shared/data``)."""
    if not DATA_ROOT.is_dir():
        pytest.fail(f"shared data not found at {DATA_ROOT}: clone the repo next to ../shared")
    return DATA_ROOT


POSTGRES_URL_ENV = "EMOTRACE_TEST_POSTGRES_URL"


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

    from emotrace.evaluation.common import fresh_postgres_database

    admin_url = os.environ.get(POSTGRES_URL_ENV)
    if not admin_url:
        if os.environ.get("EMOTRACE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{POSTGRES_URL_ENV} is not set but PostgreSQL tests are required")
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_URL_ENV} unset; run .ci/start-postgres.sh)")
    with fresh_postgres_database(admin_url, prefix="emotrace_test") as url:
        yield url
