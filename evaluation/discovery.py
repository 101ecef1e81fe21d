"""Discovered topics, measured: on the written corpus (a split; the test split by default), for each kind of vectors,
the NMI (and AMI) of the clusters with each row's first gold topic (noise counted as one more cluster), the number of
clusters and the noise share; then the same after noise messages join the nearest cluster centre (``assign_outliers``:
NMI, AMI, the share left unassigned; AMI and that share at the other thresholds too); topic coherence (NPMI of each
cluster's top-10 keywords over the clustered texts, mean over clusters; also with the clusters' members shuffled, the
floor of the scale), stability (mean pairwise adjusted Rand index of 5 seeded 80 % subsamples, on their common rows)
and the cost per text (encoding + clustering); k-means with 17 centres for comparison. Then the chosen vectors on real
support tweets (unlabelled: their top clusters' keywords printed for a human to judge); with ``--no-acks``, only tweets
that are not short acknowledgements (``is_acknowledgement``: a thank-you, "that worked", a bare link or emoji).

    python -m emotrace.evaluation.discovery [--split test] [--tweets 3000] [--seeds 5] [--no-acks]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import re
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score, normalized_mutual_info_score

from emotrace.discovery import (
    DEFAULT_VECTORS,
    OUTLIER_SIMILARITY,
    STOP_WORDS,
    VECTORS,
    assign_outliers,
    cluster,
    cluster_keywords,
    default_min_cluster_size,
    discover_topics,
    encode,
)
from emotrace.evaluation.common import print_figures
from emotrace.settings import get_settings
from emotrace.text.normalize import normalize_text
from emotrace.training.written_corpus import SPLITS, read_corpus

SUBSAMPLE = 0.8
TWEETS = Path("twcs_spotify_inbound") / "spotify_inbound.csv"  # under the shared data root; see its SOURCE.md
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4)  # outlier similarities compared with the default
ACK_WORDS = 6  # a tweet of at most this many words (handles and links left out) that thanks or confirms is an ack
ACK = re.compile(r"\b(thanks?|thank you|thx|ty|cheers|appreciate|worked|works|fixed|sorted|perfect|great|awesome|"
                 r"ok(ay)?|will do|done|got it|no worries)\b", re.IGNORECASE)


def is_acknowledgement(text: str) -> bool:
    """Whether a support tweet is a short acknowledgement to an agent rather than a problem: with handles and links
    left out, nothing but emoji and punctuation, or at most ``ACK_WORDS`` words thanking or confirming."""
    words = [w for w in text.split() if not w.startswith(("@", "http"))]
    letters = [w for w in words if any(ch.isalnum() for ch in w)]
    return not letters or (len(letters) <= ACK_WORDS and ACK.search(" ".join(words)) is not None)


def coherence(texts: list[str], keywords: dict[int, list[str]]) -> float:
    """Mean over clusters of the mean NPMI of each pair of a cluster's keywords, from their co-occurrence in
    ``texts`` (a document is one text; a pair never seen together scores -1)."""
    vocabulary = sorted({word for words in keywords.values() for word in words})
    if not vocabulary:
        return float("nan")
    present = CountVectorizer(stop_words=STOP_WORDS, vocabulary=vocabulary, binary=True).transform(
        [normalize_text(t) for t in texts]).toarray().astype(bool)
    index = {word: i for i, word in enumerate(vocabulary)}
    n = len(texts)
    scores = []
    for words in keywords.values():
        pairs = []
        for a, b in itertools.combinations(words, 2):
            both = np.sum(present[:, index[a]] & present[:, index[b]]) / n
            if both == 0:
                pairs.append(-1.0)
                continue
            p_a, p_b = present[:, index[a]].mean(), present[:, index[b]].mean()
            pairs.append(1.0 if both == 1 else float(np.log(both / (p_a * p_b)) / -np.log(both)))
        if pairs:
            scores.append(float(np.mean(pairs)))
    return float(np.mean(scores)) if scores else float("nan")


def stability(vectors: np.ndarray, min_cluster_size: int, seeds: int) -> tuple[float, float]:
    """Mean and minimum pairwise adjusted Rand index between clusterings of ``seeds`` seeded 80 % subsamples, each
    pair compared on the rows both hold (noise one more cluster)."""
    n = len(vectors)
    runs = []
    for seed in range(seeds):
        rows = np.sort(np.random.default_rng(seed).choice(n, int(SUBSAMPLE * n), replace=False))
        labels = np.full(n, -2)
        labels[rows] = cluster(vectors[rows], min_cluster_size)
        runs.append(labels)
    scores = []
    for a, b in itertools.combinations(runs, 2):
        common = (a != -2) & (b != -2)
        scores.append(adjusted_rand_score(a[common], b[common]))
    return float(np.mean(scores)), float(np.min(scores))


def corpus_figures(split: str, seeds: int) -> None:
    """Every kind of vectors on one split of the written corpus."""
    rows = read_corpus(split=split)
    texts, gold = [r.text for r in rows], [r.topics[0] if r.topics else "other" for r in rows]
    size = default_min_cluster_size(len(texts))
    for vectors in VECTORS:
        started = time.perf_counter()
        matrix = encode(texts, vectors)
        encoded = time.perf_counter()
        labels = cluster(matrix, size)
        clustered = time.perf_counter()
        joined = {t: assign_outliers(matrix, labels, t) for t in THRESHOLDS}
        chosen = joined[OUTLIER_SIMILARITY]
        kmeans = [normalized_mutual_info_score(gold, cluster(matrix, size, "kmeans", seed)) for seed in range(seeds)]
        mean_ari, min_ari = stability(matrix, size, seeds)
        print_figures(f"discovered topics, written corpus {split}, {vectors} vectors", {
            "texts": len(texts), "min_cluster_size": size,
            "nmi_hdbscan": normalized_mutual_info_score(gold, labels),
            "ami_hdbscan": adjusted_mutual_info_score(gold, labels),
            "nmi_kmeans_17": float(np.mean(kmeans)),
            "clusters": int(labels.max() + 1), "noise_share": float(np.mean(labels == -1)),
            "nmi_assigned": normalized_mutual_info_score(gold, chosen),
            "ami_assigned": adjusted_mutual_info_score(gold, chosen),
            "unassigned_share": float(np.mean(chosen == -1)),
            **{f"ami_unassigned_at_{t}": f"{adjusted_mutual_info_score(gold, joined[t]):.3f} "
               f"{np.mean(joined[t] == -1):.3f}" for t in THRESHOLDS if t != OUTLIER_SIMILARITY},
            "coherence_npmi": coherence(texts, cluster_keywords(texts, chosen)),
            "coherence_npmi_shuffled": coherence(texts, cluster_keywords(texts, np.random.default_rng(0).permutation(
                chosen))),  # the same cluster sizes, members drawn at random: the scale's floor
            "stability_ari_mean": mean_ari, "stability_ari_min": min_ari,
            "encode_ms_per_text": 1000 * (encoded - started) / len(texts),
            "cluster_ms_per_text": 1000 * (clustered - encoded) / len(texts),
        })


def tweet_figures(path: Path, sample: int, no_acks: bool, top: int = 12) -> None:
    """The chosen vectors on a seeded sample of real support tweets (``no_acks``: of those not acknowledgements):
    figures, and the top clusters to judge."""
    with path.open(encoding="utf-8", newline="") as handle:
        records = list({r["text"]: r for r in csv.DictReader(handle) if r["text"].strip()}.values())
    problems = [r for r in records if not is_acknowledgement(r["text"])]
    acknowledgement_share = 1 - len(problems) / len(records)
    if no_acks:
        records = problems
    chosen = [records[i] for i in sorted(np.random.default_rng(0).choice(len(records), min(sample, len(records)),
                                                                          replace=False))]
    texts = [r["text"] for r in chosen]
    times = [datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y") for r in chosen]
    started = time.perf_counter()
    found = discover_topics(texts, times)
    seconds = time.perf_counter() - started
    kind = "Spotify support tweets, acknowledgements left out" if no_acks else "Spotify support tweets"
    print_figures(f"discovered topics, {len(texts)} {kind}, {DEFAULT_VECTORS} vectors", {
        "texts": len(texts), "acknowledgement_share": acknowledgement_share,  # of all distinct tweets
        "min_cluster_size": found.min_cluster_size, "clusters": len(found.topics),
        "noise_share": found.noise / len(texts), "unassigned_share": float(np.mean(found.labels == -1)),
        "coherence_npmi": coherence(texts, {t.id: t.keywords for t in found.topics}),
        "emerging": sum(t.emerging for t in found.topics),
        "ms_per_text": 1000 * seconds / len(texts),
    })
    for topic in found.topics[:top]:
        print(f"  {topic.size:>5} ({topic.assigned:>4} joined) {topic.share:6.1%} {'emerging ' if topic.emerging else ''}"
              f"{', '.join(topic.keywords)}\n        e.g. {' '.join(topic.examples[0].split())[:110]}")


def main() -> None:
    """Print the corpus figures for each kind of vectors, then the tweets' clusters."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="test", choices=SPLITS)
    parser.add_argument("--seeds", type=int, default=5, help="subsamples (and k-means seeds)")
    parser.add_argument("--tweets", type=int, default=3000, help="Spotify tweets sampled (0: none)")
    parser.add_argument("--no-acks", action="store_true", help="cluster only tweets that are not short "
                        "acknowledgements (thanks, 'that worked', a bare link or emoji)")
    args = parser.parse_args()
    corpus_figures(args.split, args.seeds)
    if args.tweets:
        tweet_figures(get_settings().data_root / TWEETS, args.tweets, args.no_acks)


if __name__ == "__main__":
    main()
