"""Clauses of a message, for reading each thing it talks about on its own ("the food was great but the delivery was an
hour late" -> "the food was great", "the delivery was an hour late").

A message is cut into sentences (after ".", "!", "?" or "…" and a space, or at a line break; not with spaCy, whose
import pulls in torch and takes seconds, which every reading would pay), and each sentence at a contrast
("but", "although", "however", "except", "apart from", ";" ...), where the feeling often turns. A piece of fewer than
:data:`MIN_CLAUSE_WORDS` words stays with its neighbour ("Great, but" reads nothing alone). The markers and the
minimum were chosen on the aspect set's dev half (docs/benchmarks.md#aspects).
"""

from __future__ import annotations

import itertools
import re

MIN_CLAUSE_WORDS = 2
# Where a clause starts inside a sentence: after a semicolon, or at a contrast marker ("though", "yet", "sadly" and
# "unfortunately" only after a comma: "the billing though is a mess" has no second clause).
_CONTRAST = re.compile(
    r";\s*|\b(?=(?:but(?! also)|although|however|whereas|except|apart from|other than that|on the other hand|"
    r"the only (?:thing|problem|downside))\b)|(?<=,)\s*(?=(?:though|yet|sadly|unfortunately)\b)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<!\s)\s*\n\s*")  # from a run's start: linear in long runs
_WORD = re.compile(r"\w+")


def split_clauses(text: str) -> list[str]:
    """The message's clauses in order, each a piece of the text as it stands, stripped (the whole text, stripped,
    when it has one)."""
    spans: list[tuple[int, int]] = []
    sentence_start = 0
    for end in [*(m.start() for m in _SENTENCE_END.finditer(text)), len(text)]:
        sentence = text[sentence_start:end]
        cuts = [0, *(m.end() for m in _CONTRAST.finditer(sentence) if m.end() > 0), len(sentence)]
        for start, stop in itertools.pairwise(cuts):
            piece = sentence[start:stop]
            if not piece.strip():
                continue
            left = sentence_start + start + len(piece) - len(piece.lstrip())
            right = sentence_start + start + len(piece.rstrip())
            if spans and (_words(piece) < MIN_CLAUSE_WORDS or _words(text[slice(*spans[-1])]) < MIN_CLAUSE_WORDS):
                spans[-1] = (spans[-1][0], right)
            else:
                spans.append((left, right))
        sentence_start = end
    return [text[start:stop] for start, stop in spans] or [text.strip()]


def _words(text: str) -> int:
    return len(_WORD.findall(text))
