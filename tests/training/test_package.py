"""Packaging steps run again on a packaged model: what they re-derive must not drift."""

from __future__ import annotations

import shutil

from emotrace.model.classifier import DEFAULT_MODEL_DIR
from emotrace.model.config import read_config
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.paths import DEFAULT_DATA_ROOT
from emotrace.training.data import read_goemotions_tsv
from emotrace.training.package import tune_directory


def test_retuning_a_packaged_model_keeps_its_satisfaction_temperature(tmp_path) -> None:
    """The temperature is fitted on the network's own logits, not on logits its saved temperature already scaled
    (re-tuning the shipped model once turned 1.1 into 1.0 and raised the tweets' calibration error .030 -> .048)."""
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    before = read_config(copy)["thresholds"]
    assert before["satisfaction_temperature"] != 1.0  # else the test could not tell
    dev = read_goemotions_tsv(DEFAULT_DATA_ROOT / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS)
    tune_directory(copy, LabelledTexts(dev.texts[:300], dev.targets[:300], dev.labels), DEFAULT_DATA_ROOT)
    after = read_config(copy)["thresholds"]
    assert after["satisfaction_temperature"] == before["satisfaction_temperature"]
