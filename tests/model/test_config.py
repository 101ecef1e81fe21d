"""``emotrace.json``: one versioned file describes a model directory; the previous layout still loads (one release)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from emotrace.errors import EmotraceError
from emotrace.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier
from emotrace.model.config import CONFIG_FILE, FORMAT_VERSION, LEGACY_FILES, read_config
from emotrace.model.labels import LabelSchema

TEXTS = ["Thanks so much, the agent sorted it out in minutes!", "I'm cancelling, and I want my money back."]


def _copy(tmp_path: Path) -> Path:
    return shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")


def _config(directory: Path) -> dict[str, object]:
    return json.loads((directory / CONFIG_FILE).read_text())


def test_the_shipped_model_is_described_by_one_versioned_file() -> None:
    config = _config(DEFAULT_MODEL_DIR)
    assert list(config) == ["format_version", "label_schema", "heads", "thresholds", "provenance", "metrics"]
    assert config["format_version"] == FORMAT_VERSION
    assert not [f for f in LEGACY_FILES.values() if (DEFAULT_MODEL_DIR / f).exists()]
    recipe = config["provenance"]["recipe"]
    assert len(set(recipe)) == len(recipe) and all(step.endswith(".") for step in recipe)


def test_a_directory_in_the_previous_layout_loads_and_reads_the_same(tmp_path) -> None:
    """Models trained with emotrace 0.1 (labels.json, heads.json, thresholds.json, metrics.json; no emotrace.json)
    load for one release; the first write converts them."""
    legacy = _copy(tmp_path)
    config = _config(legacy)
    for section, file in LEGACY_FILES.items():
        (legacy / file).write_text(json.dumps(config[section]))
    (legacy / CONFIG_FILE).unlink()
    with pytest.warns(FutureWarning, match="0.1 layout"):
        old = EmotionClassifier.from_pretrained(legacy)
    assert old.thresholds == EmotionClassifier.from_pretrained(DEFAULT_MODEL_DIR).thresholds
    assert old.predict(TEXTS) == EmotionClassifier.from_pretrained(DEFAULT_MODEL_DIR).predict(TEXTS)
    with pytest.warns(FutureWarning):
        assert read_config(legacy)["metrics"] == config["metrics"]
        old.schema.save(legacy)
    converted = _config(legacy)
    assert converted == {name: value for name, value in config.items() if name != "provenance"}  # none was kept as data
    assert not [f for f in LEGACY_FILES.values() if (legacy / f).exists()]


def test_a_newer_format_asks_for_a_newer_emotrace(tmp_path) -> None:
    copy = _copy(tmp_path)
    (copy / CONFIG_FILE).write_text(json.dumps({**_config(copy), "format_version": FORMAT_VERSION + 1}))
    with pytest.raises(EmotraceError, match=r"\[E115\].*format 2.*Upgrade emotrace"):
        EmotionClassifier.from_pretrained(copy)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"label_schema": {"labels": ["joy"]}}',
                                     '{"format_version": "1", "label_schema": {"labels": ["joy"]}}',
                                     '{"format_version": 1}', '{"format_version": 1, "label_schema": {"groupings": {}}}'])
def test_an_invalid_config_is_named(tmp_path, content: str) -> None:
    (tmp_path / CONFIG_FILE).write_text(content)
    with pytest.raises(EmotraceError, match=r"\[E106\]"):
        LabelSchema.load(tmp_path)


def test_a_missing_config_is_named(tmp_path) -> None:
    with pytest.raises(EmotraceError, match=r"\[E105\] No emotrace.json"):
        LabelSchema.load(tmp_path)
