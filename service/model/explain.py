"""Which words drove a reading: occlusion on the served model.

Each word (a run of non-space characters: words, emoji, ``!!!``) is left out in turn and the text read again, all
variants in one batch; a word's weight for a label is how much the label's probability falls without it (negative:
the word held the label back). Faithfulness is measured by ``python -m emotrace.evaluation.explanations`` (ERASER
comprehensiveness: leaving out the top words lowers the label more than leaving out as many random words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.reading import Reading

WORD = re.compile(r"\S+")
MAX_WORDS = 64  # a text is read once per word: longer texts are refused (E011)
MAX_CHARS = 1_500  # and its length bounds each reading: a maximum-size explanation takes ~2 s on 2 cores
TOP_WORDS = 5


@dataclass(frozen=True)
class WordWeight:
    """A word of the text (``text[start:end]``) and how much it raised (+) or lowered (-) a probability."""

    word: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Explanation:
    """The words that drove each fired label and the satisfaction class, strongest first."""

    labels: dict[str, list[WordWeight]]
    satisfaction_class: str | None
    satisfaction: list[WordWeight]


def without(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the character spans left out (whitespace kept single)."""
    kept, last = [], 0
    for start, end in sorted(spans):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    return " ".join("".join(kept).split())


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of ``text`` lies."""
    return [(m.start(), m.end()) for m in WORD.finditer(text)]


def occlusions(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """The words of ``text`` and the texts to read: ``text`` itself, then ``text`` without each word in turn."""
    spans = word_spans(text)
    if len(text) > MAX_CHARS:
        raise EmotraceError("E011", f"The text has {len(text):,} characters; explanations read it once per word, "
                            f"up to {MAX_CHARS:,} characters.", "Explain a shorter text, or a part of this one.")
    if len(spans) > MAX_WORDS:
        raise EmotraceError("E011", f"The text has {len(spans)} words; explanations read it once per word, up to "
                            f"{MAX_WORDS}.", "Explain a shorter text, or a part of this one.")
    return spans, [text] + [without(text, [span]) or "." for span in spans]


def explanation(text: str, spans: list[tuple[int, int]], readings: list[Reading], top: int = TOP_WORDS) -> Explanation:
    """The explanation of ``readings[0]`` (of ``text``) from the readings of its :func:`occlusions`."""
    full, rest = readings[0], readings[1:]

    def ranked(drops: np.ndarray) -> list[WordWeight]:
        order = np.argsort(-np.abs(drops))[:top]
        return [WordWeight(text[spans[i][0]:spans[i][1]], spans[i][0], spans[i][1], round(float(drops[i]), 4))
                for i in order if abs(drops[i]) >= 1e-4]

    weights = {label: ranked(np.array([full.probabilities[label] - r.probabilities[label] for r in rest]))
               for label in full.labels}
    if full.satisfaction is None or full.satisfaction_class is None:
        return Explanation(weights, None, [])
    best = full.satisfaction_class
    return Explanation(weights, best, ranked(np.array([full.satisfaction[best] - (r.satisfaction or {}).get(best, 0.0)
                                                       for r in rest])))


def explain(classifier: EmotionClassifier, text: str, top: int = TOP_WORDS) -> Explanation:
    """The words that drove the labels and the satisfaction class ``classifier`` reads in ``text``."""
    spans, variants = occlusions(text)
    return explanation(text, spans, classifier.predict(variants), top)
