"""``emotrace.json``: one versioned file describes a model directory; the previous layout still loads (one release)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
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


def _damaged_copy(tmp_path: Path, name: str, damage) -> Path:
    model = Path(shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model"))
    damage(model / name)
    return model


def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _heads_without(key: str, replaced=None):
    def damage(path: Path) -> None:
        from safetensors.numpy import load_file, save_file

        tensors = load_file(str(path))
        if replaced is None:
            del tensors[key]
        else:
            tensors[key] = replaced
        save_file(tensors, str(path))
    return damage


@pytest.mark.parametrize(("name", "damage", "code"), [
    ("group_heads.safetensors", _cut, "E113"),
    ("group_heads.safetensors", _heads_without("ekman.bias"), "E113"),
    ("group_heads.safetensors", _heads_without("ekman.bias", np.zeros(3, dtype=np.float32)), "E113"),
    ("tokenizer.json", lambda p: p.write_text(""), "E117"),
    ("tokenizer_config.json", lambda p: p.write_text("{not json"), "E117"),
])
def test_a_damaged_model_file_is_a_coded_error_not_a_traceback(tmp_path, name, damage, code) -> None:
    """Found by a review: a cut group_heads.safetensors (SafetensorError), a head without its bias (KeyError), a bias
    of the wrong length (a broadcasting ValueError at the first predict) and unreadable tokenizer files (a bare
    Exception, a JSONDecodeError) reached the user as tracebacks."""
    model = _damaged_copy(tmp_path, name, damage)
    with pytest.raises(EmotraceError, match=rf"\[{code}\]"):
        EmotionClassifier.from_pretrained(model).predict(["Where is my parcel?"])
