"""The word features the topic head reads beside the pooled vector.

What a message is about is carried by its words more than by the emotion model's pooled vector (fine-tuned for
feeling, it keeps little of the subject: docs/benchmarks.md#topics). The topic head therefore reads the pooled vector
and the text's TF-IDF weights over a fixed vocabulary (word unigrams and bigrams of the normalized text), scaled by
``scale``: one linear map over both, so a topic costs one sparse product per text and no second encoder pass.

A model directory keeps the vocabulary and its inverse document frequencies in ``topic_terms.json``. Training fits
them with scikit-learn's ``TfidfVectorizer``; the runtime computes the same weights itself (a test holds them equal):
importing scikit-learn took 1.5 s and pulled in torch, which a cold ``emotrace analyze`` must not pay.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.paths import with_default_mode

TOPIC_TERMS_FILE = "topic_terms.json"
NGRAM_RANGE = (1, 2)
# Non-zeros multiplied per step: a wide head's (non-zeros, outputs) products stay a few tens of MB (a hidden layer of
# 768 units over the 5,426 GoEmotions dev texts' ~200,000 non-zeros would take 600 MB at once).
PRODUCT_CHUNK = 16_384
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern (words of two characters or more)


@dataclass(frozen=True)
class WordFeatures:
    """The word features of ``count`` texts, only those not zero: ``values[k]`` at (``rows[k]``, ``columns[k]``) of
    a (count, width) matrix, ``rows`` ascending. A text has a few dozen of the ~20,000 columns: a head reads them in
    one gather instead of a dense product over the whole width."""

    count: int
    width: int
    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray

    def dense(self) -> np.ndarray:
        """The (count, width) matrix."""
        out = np.zeros((self.count, self.width), dtype=np.float32)
        out[self.rows, self.columns] = self.values
        return out

    def times(self, weight: np.ndarray) -> np.ndarray:
        """This matrix times ``weight.T`` (``weight``: (outputs, width)): (count, outputs)."""
        out = np.zeros((self.count, weight.shape[0]), dtype=np.float32)
        for start in range(0, len(self.rows), PRODUCT_CHUNK):
            end = start + PRODUCT_CHUNK
            rows = self.rows[start:end]
            products = weight[:, self.columns[start:end]].T * self.values[start:end, None]
            firsts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])  # where each row's run begins
            out[rows[firsts]] += np.add.reduceat(products, firsts, axis=0)
        return out


@dataclass(frozen=True)
class TopicTerms:
    """A fixed TF-IDF vocabulary (term -> column), its idf weights and the scale the head reads them at."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    scale: float

    @property
    def width(self) -> int:
        """Number of word features."""
        return len(self.vocabulary)

    def sparse_features(self, texts: list[str]) -> WordFeatures:
        """The scaled TF-IDF weights of ``texts`` (already normalized as the classifier reads them), only those not
        zero: per text, the lower-cased words and word pairs in the vocabulary, weighted 1 + log(count) times their
        idf, the row scaled to unit length and then by ``scale`` (scikit-learn's ``sublinear_tf`` TF-IDF)."""
        rows, columns, values = [], [], []
        for row, text in enumerate(texts):
            words = _TOKEN.findall(text.lower())
            grams = [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]
            counts = Counter(self.vocabulary[g] for g in grams if g in self.vocabulary)
            if not counts:
                continue
            found = np.fromiter(counts, dtype=np.int64, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * \
                self.idf[found]
            rows.append(np.full(len(found), row))
            columns.append(found)
            values.append(weights / np.linalg.norm(weights) * self.scale)
        if not rows:
            return WordFeatures(len(texts), self.width, np.zeros(0, np.int64), np.zeros(0, np.int64),
                                np.zeros(0, np.float32))
        return WordFeatures(len(texts), self.width, np.concatenate(rows), np.concatenate(columns),
                            np.concatenate(values).astype(np.float32))

    def features(self, texts: list[str]) -> np.ndarray:
        """(n, width) dense scaled TF-IDF weights of ``texts`` (:meth:`sparse_features`), as heads are fitted on."""
        return self.sparse_features(texts).dense()

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
