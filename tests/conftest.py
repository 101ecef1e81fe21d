"""Shared fixtures: the shipped model (loaded once), the shared data folder, the base tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier

REPO = Path(__file__).resolve().parents[1]
DATA_ROOT = REPO.parent / "shared" / "data"


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
