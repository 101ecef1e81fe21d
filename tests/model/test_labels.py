from __future__ import annotations

import pytest

from emotrace.errors import EmotraceError
from emotrace.model.labels import GOEMOTIONS_LABELS, LabelSchema


def test_goemotions_schema_groups_every_emotion(data_root) -> None:
    schema = LabelSchema.goemotions(data_root / "goemotions")
    assert len(schema.labels) == 28
    ekman = schema.group_members("ekman")
    assert set(ekman) == {"anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"}
    grouped = {m for members in ekman.values() for m in members}
    assert grouped == set(GOEMOTIONS_LABELS)


def test_grouping_with_unknown_label_is_refused() -> None:
    with pytest.raises(EmotraceError, match=r"\[E103\].*'joyy'"):
        LabelSchema(("joy", "neutral"), {"ekman": {"joy": ("joyy",)}})


def test_duplicate_labels_are_refused() -> None:
    with pytest.raises(EmotraceError, match="E102"):
        LabelSchema(("joy", "joy"))


def test_save_load_round_trip(tmp_path, data_root) -> None:
    schema = LabelSchema.goemotions(data_root / "goemotions")
    schema.save(tmp_path)
    assert LabelSchema.load(tmp_path) == schema
