"""The word features the topic head reads beside the pooled vector.

What a message is about is carried by its words more than by the emotion model's pooled vector (fine-tuned for
feeling, it keeps little of the subject: docs/benchmarks.md#topics). The topic head therefore reads the pooled vector
and the text's TF-IDF weights over a fixed vocabulary (word unigrams and bigrams of the normalized text), scaled by
``scale``: one linear map over both, so a topic costs one sparse product per text and no second encoder pass.

A model directory keeps the vocabulary and its inverse document frequencies in ``topic_terms.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from emotrace.errors import EmotraceError
from emotrace.paths import with_default_mode

TOPIC_TERMS_FILE = "topic_terms.json"
NGRAM_RANGE = (1, 2)


@dataclass(frozen=True)
class TopicTerms:
    """A fixed TF-IDF vocabulary (term -> column), its idf weights and the scale the head reads them at."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    scale: float

    def __post_init__(self) -> None:
        vectorizer = TfidfVectorizer(vocabulary=self.vocabulary, ngram_range=NGRAM_RANGE, sublinear_tf=True,
                                     dtype=np.float32)
        vectorizer.idf_ = self.idf
        object.__setattr__(self, "_vectorizer", vectorizer)

    @property
    def width(self) -> int:
        """Number of word features."""
        return len(self.vocabulary)

    def features(self, texts: list[str]) -> np.ndarray:
        """(n, width) scaled TF-IDF weights of ``texts`` (already normalized as the classifier reads them)."""
        vectorizer: TfidfVectorizer = object.__getattribute__(self, "_vectorizer")
        return np.asarray(vectorizer.transform(texts).toarray() * self.scale, dtype=np.float32)

    @classmethod
    def fit(cls, texts: list[str], max_terms: int, scale: float) -> TopicTerms:
        """The vocabulary of the ``max_terms`` most frequent unigrams and bigrams seen in at least two ``texts``."""
        vectorizer = TfidfVectorizer(ngram_range=NGRAM_RANGE, min_df=2, sublinear_tf=True, max_features=max_terms,
                                     dtype=np.float32).fit(texts)
        vocabulary = {term: int(column) for term, column in vectorizer.vocabulary_.items()}
        return cls(vocabulary, vectorizer.idf_.astype(np.float32), scale)

    def save(self, directory: Path) -> None:
        """Write ``topic_terms.json`` into ``directory``."""
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        path = directory / TOPIC_TERMS_FILE
        path.write_text(json.dumps({"terms": terms, "idf": [round(float(x), 6) for x in self.idf],
                                    "scale": self.scale}), encoding="utf-8")
        with_default_mode(path)

    @classmethod
    def load(cls, directory: Path) -> TopicTerms | None:
        """The directory's topic terms (None when it has none)."""
        path = directory / TOPIC_TERMS_FILE
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            terms, idf = list(raw["terms"]), np.asarray(raw["idf"], dtype=np.float32)
            if len(terms) != len(idf) or len(set(terms)) != len(terms):
                raise ValueError("terms and idf weights do not match one to one")
            return cls({term: i for i, term in enumerate(terms)}, idf, float(raw["scale"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise EmotraceError("E116", f"{path} is not a valid topic vocabulary ({exc}).",
                                "Restore the file saved with this model, or refit its topics "
                                "(`emotrace train --recipe topics`).") from exc
