"""Emoji lexicon rows: weak emotion labels for emoji-only texts, from the normalizer's own cue table.

GoEmotions holds few texts made of emoji alone, so a model trained on it reads "😡" or "😭😭" as
neutral. Each emoji (and emoticon) whose cue word names an emotion becomes a few short training rows
(the emoji once, twice, three times) labelled with that emotion. The table is reviewable in
``emotrace.text.normalize.EMOJI_CUES``; ``CUE_LABELS`` maps its cue words to GoEmotions labels.
"""

from __future__ import annotations

import emoji
import numpy as np

from emotrace.model.labelled import LabelledTexts
from emotrace.text.normalize import EMOJI_CUES, EMOTICONS, emoji_name

CUE_LABELS = {
    "angry": "anger", "sad": "sadness", "scared": "fear", "disgusted": "disgust", "surprised": "surprise",
    "annoyed": "annoyance", "happy": "joy", "funny": "amusement", "love": "love", "thanks": "gratitude",
    "good": "approval", "bad": "disapproval",
}
REPEATS = (1, 2, 3)


def _emoji_by_name() -> dict[str, str]:
    return {emoji_name(data): char for char, data in emoji.EMOJI_DATA.items()
            if data.get("status") == emoji.STATUS["fully_qualified"]}


def emoji_cue_rows(labels: tuple[str, ...], copies: int = 4) -> LabelledTexts:
    """Emoji-only rows (each emoji or emoticon x1, x2, x3; the whole set ``copies`` times) over ``labels``."""
    by_name = _emoji_by_name()
    symbols = [(by_name[name], cue) for name, cue in EMOJI_CUES.items() if name in by_name]
    symbols += [(emoticon, EMOJI_CUES[name]) for emoticon, name in EMOTICONS.items() if name in EMOJI_CUES]
    texts, rows = [], []
    for symbol, cue in symbols:
        target = np.zeros(len(labels), dtype=np.float32)
        target[labels.index(CUE_LABELS[cue])] = 1.0
        for repeat in REPEATS:
            texts.append(" ".join([symbol] * repeat) if len(symbol) > 1 else symbol * repeat)
            rows.append(target)
    return LabelledTexts(texts * copies, np.stack(rows * copies), labels)
