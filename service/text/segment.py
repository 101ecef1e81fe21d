"""Splitting long texts into chunks that fit the model window, on sentence boundaries.

Uses ``spacy.blank("en")`` with the rule-based ``sentencizer`` (no model download). A sentence longer
than the window on its own is cut into window-sized pieces of words, so no text is ever dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


@lru_cache(maxsize=1)
def sentence_splitter() -> Language:
    """A blank English pipeline with the rule-based sentencizer (built once per process; spaCy, which imports
    thinc and torch, is imported here, so only a text too long for one window pays for it)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 5_000_000
    return nlp


# A sentence ends at a run of . ! ? (closing quotes or brackets after) before white space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")


def plain_sentences(text: str) -> list[str]:
    """The sentences of ``text`` by punctuation and line breaks, stripped, empty ones dropped: spaCy's sentencizer's
    rule without importing spaCy (which imports torch), for the hot path; the two split 1,292 of the 1,545 written
    corpus dev texts alike, and the intents read from their sentences score the same (docs/benchmarks.md, fifty-fourth
    round)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, empty ones dropped."""
    return [s.text.strip() for s in sentence_splitter()(text).sents if s.text.strip()]


def chunk_text(text: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    """Greedily pack whole sentences into chunks of at most ``max_tokens`` tokens.

    ``count_tokens`` gives the model's token count of a string (special tokens excluded). A text that
    fits is returned as one chunk, unchanged.
    """
    if count_tokens(text) <= max_tokens:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    current_len = 0
    for sentence in split_sentences(text):
        for piece in _fit(sentence, count_tokens, max_tokens):
            n = count_tokens(piece)
            if current and current_len + n > max_tokens:
                chunks.append(" ".join(current))
                current, current_len = [], 0
            current.append(piece)
            current_len += n
    if current:
        chunks.append(" ".join(current))
    return chunks


def _fit(sentence: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    """Cut a sentence that alone exceeds the window into word runs that fit (a word that alone exceeds it, such as
    "ok,ok,ok,..." or a line of Chinese, into runs of its characters)."""
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    pieces: list[str] = []
    words: list[str] = []
    for word in (part for whole in sentence.split() for part in _cut(whole, count_tokens, max_tokens)):
        if words and count_tokens(" ".join([*words, word])) > max_tokens:
            pieces.append(" ".join(words))
            words = []
        words.append(word)
    if words:
        pieces.append(" ".join(words))
    return pieces


def _cut(word: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    """``word`` as runs of its characters that fit the window, cut in halves (the window cut off its tail)."""
    if len(word) <= 1 or count_tokens(word) <= max_tokens:
        return [word]
    half = len(word) // 2
    return _cut(word[:half], count_tokens, max_tokens) + _cut(word[half:], count_tokens, max_tokens)
