"""Helpers shared by the benchmark scripts: where things are, and printing figures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.settings import get_settings
from emotrace.training.data import read_goemotions_tsv


def goemotions_dev(data_root: Path | None = None) -> LabelledTexts:
    """The GoEmotions dev split (the tuning set; the test split is held back)."""
    root = data_root or get_settings().data_root
    return read_goemotions_tsv(root / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS)


def print_figures(title: str, figures: Mapping[str, object]) -> None:
    """Print a titled block of figures, then the same as one JSON line (for scripts)."""
    print(f"== {title}")
    for key, value in figures.items():
        print(f"  {key:<34} {value:.4f}" if isinstance(value, float) else f"  {key:<34} {value}")
    print(json.dumps({"benchmark": title, **figures}))
