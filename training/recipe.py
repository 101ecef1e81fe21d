"""The shipped model's training recipe: which data feeds which head."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from service.model.labels import GOEMOTIONS_LABELS
from training.data import read_emobank, read_goemotions_tsv
from training.satisfaction_data import load_satisfaction
from training.trainer import TaskData

DEFAULT_DATA_ROOT = Path("../shared/data")
SATISFACTION_CAP = 3000  # rows per (source, class): keeps 5-star reviews from swamping the rest


def default_tasks(data_root: Path = DEFAULT_DATA_ROOT) -> dict[str, TaskData]:
    """GoEmotions train -> emotion head, EmoBank train -> affect head, satisfaction sources -> satisfaction."""
    emotions = read_goemotions_tsv(data_root / "goemotions" / "original" / "train.tsv", GOEMOTIONS_LABELS)
    affect_texts, affect_targets = read_emobank(data_root / "emobank" / "emobank.csv", "train")
    satisfaction = load_satisfaction(data_root, "train", cap_per_source_class=SATISFACTION_CAP)
    return {
        "emotion": TaskData(emotions.texts, emotions.targets),
        "affect": TaskData(affect_texts, affect_targets),
        "satisfaction": TaskData(satisfaction.texts, np.asarray(satisfaction.classes, dtype=np.int64)),
    }
