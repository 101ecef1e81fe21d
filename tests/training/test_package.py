"""Packaging steps run again on a packaged model: what they re-derive must not drift."""

from __future__ import annotations

import csv
import itertools
import shutil
from pathlib import Path

from emotrace.model.classifier import DEFAULT_MODEL_DIR
from emotrace.model.config import read_config
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.paths import DEFAULT_DATA_ROOT
from emotrace.training.data import read_goemotions_tsv
from emotrace.training.package import tune_directory
from emotrace.training.satisfaction_data import load_satisfaction

SATISFACTION_FILES = ("womens_clothing_reviews/reviews.csv", "cfpb_complaints_sample/complaints_sample.csv",
                      "banking77/train.csv", "semeval2017_task4a/semeval_2013_2016_train.csv")


def small_data_root(root: Path, records: int = 400) -> Path:
    """The first ``records`` rows of each satisfaction source and of GoEmotions dev, laid out as the data root is."""
    for name in SATISFACTION_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        with (DEFAULT_DATA_ROOT / name).open(encoding="utf-8", newline="") as source, \
                (root / name).open("w", encoding="utf-8", newline="") as target:
            reader = csv.DictReader(source)
            writer = csv.DictWriter(target, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            writer.writerows(itertools.islice(reader, records))
    goemotions = root / "goemotions" / "original" / "dev.tsv"
    goemotions.parent.mkdir(parents=True)
    with (DEFAULT_DATA_ROOT / "goemotions" / "original" / "dev.tsv").open(encoding="utf-8") as source:
        goemotions.write_text("".join(itertools.islice(source, records)), encoding="utf-8")
    return root


def test_retuning_a_packaged_model_keeps_its_satisfaction_temperature(tmp_path) -> None:
    """The temperature is fitted on the network's own logits, not on logits its saved temperature already scaled
    (re-tuning the shipped model once turned 1.1 into 1.0 and raised the tweets' calibration error .030 -> .048):
    tuning twice on the same rows gives the same temperature (on a few rows of each source, to keep the test short)."""
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    data_root = small_data_root(tmp_path / "data")
    dev = read_goemotions_tsv(data_root / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS)
    assert len(load_satisfaction(data_root, "dev").texts) > 300
    rows = LabelledTexts(dev.texts[:100], dev.targets[:100], dev.labels)
    tune_directory(copy, rows, data_root)
    once = read_config(copy)["thresholds"]["satisfaction_temperature"]
    assert once != 1.0  # else a temperature applied twice could not be told from one applied once
    tune_directory(copy, rows, data_root)
    assert read_config(copy)["thresholds"]["satisfaction_temperature"] == once
