from __future__ import annotations

from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.text.normalize import EMOJI_CUES
from emotrace.training.emoji_rows import CUE_LABELS, emoji_cue_rows


def test_every_cue_word_maps_to_a_goemotions_label() -> None:
    assert set(EMOJI_CUES.values()) <= set(CUE_LABELS)
    assert set(CUE_LABELS.values()) <= set(GOEMOTIONS_LABELS)


def test_rows_label_emoji_only_texts_by_their_cue() -> None:
    rows = emoji_cue_rows(GOEMOTIONS_LABELS, copies=1)
    by_text = {text: {GOEMOTIONS_LABELS[j] for j in target.nonzero()[0]} for text, target in zip(
        rows.texts, rows.targets, strict=True)}
    assert by_text["😡"] == {"anger"}
    assert by_text["😭😭"] == {"sadness"}
    assert by_text["🙏"] == {"gratitude"}
    assert by_text[":( :("] == {"sadness"}
    assert all(len(labels) == 1 for labels in by_text.values())
    assert len(emoji_cue_rows(GOEMOTIONS_LABELS, copies=3).texts) == 3 * len(rows.texts)
