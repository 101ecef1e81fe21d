"""Topics and aspects, read by a model at its own decisions.

- Topic view on the written customer-service corpus (test split: set aside before any training): macro-F1 over the
  taxonomy, F1 per topic, how often the most probable topic is a gold one, and the normalized mutual information
  between the most probable topic and the row's first gold topic (all rows with a topic, and the airline and rail
  rows alone: complaints with reasons, like the support tweets an independent check uses).
- Aspect-level satisfaction on the hand-written aspect set (``data/aspects``; evaluation only; ``--aspect-split``):
  for each gold aspect, the satisfaction class read for its topic (the clause most about it) against one class for
  the whole message, as 3-class macro-F1; and how many gold aspects' topics the model finds (precision, recall).
- Cost per text: the views over word features (topics, intents: the features and heads) and the clause reading of
  aspects, in milliseconds.

    python -m emotrace.evaluation.topics [--model DIR] [--split test] [--aspect-split test]
"""

from __future__ import annotations

import argparse
import json
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, normalized_mutual_info_score

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.labels import SATISFACTION_CLASSES, TOPIC_LABELS, TOPIC_VIEW
from emotrace.text.clauses import split_clauses
from emotrace.training.topics import topic_report
from emotrace.training.written_corpus import SPLITS, read_corpus, topic_rows

ASPECTS_FILE = Path(__file__).resolve().parents[1] / "data" / "aspects" / "messages.jsonl"
TRAVEL = ("airline", "rail")  # the corpus's industry names (a review found "airlines": no row, rail rows alone)


@dataclass(frozen=True)
class GoldAspect:
    """One aspect of the aspect set: its message, topic and satisfaction class."""

    message: int
    topic: str
    satisfaction_class: str


def read_aspect_set(split: str, path: Path = ASPECTS_FILE) -> tuple[list[str], list[GoldAspect]]:
    """The aspect set's messages of ``split`` (CRC-32 of the text, even: dev, odd: test) and their gold aspects."""
    texts: list[str] = []
    aspects: list[GoldAspect] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if ("dev", "test")[zlib.crc32(row["text"].encode("utf-8")) % 2] != split:
            continue
        aspects += [GoldAspect(len(texts), a["topic"], a["satisfaction"]) for a in row["aspects"]
                    if a["topic"] in TOPIC_LABELS]
        texts.append(row["text"])
    return texts, aspects


def topic_figures(classifier: EmotionClassifier, split: str) -> dict[str, object]:
    """The topic view's figures on the written corpus's ``split``."""
    rows = read_corpus(split=split)
    gold = topic_rows(rows)
    probabilities = classifier.raw_outputs(gold.texts).topics
    if probabilities is None:
        raise SystemExit("This model has no topic view (emotrace train --recipe topics gives it one).")
    thresholds = classifier.thresholds.for_grouping(TOPIC_VIEW, list(TOPIC_LABELS))
    report = topic_report(probabilities, gold.targets, thresholds)
    top = probabilities.argmax(axis=1)
    has_topic = gold.targets.any(axis=1)
    first = np.array([next((t for t in r.topics if t in TOPIC_LABELS), "") for r in rows])
    travel = has_topic & np.array([r.industry in TRAVEL for r in rows])
    report["nmi_top_topic_vs_first_gold"] = round(float(normalized_mutual_info_score(first[has_topic],
                                                                                     top[has_topic])), 4)
    report["nmi_travel_rows"] = round(float(normalized_mutual_info_score(first[travel], top[travel])), 4)
    report["travel_rows"] = int(travel.sum())
    small_talk = np.array(["small_talk" in r.phenomena for r in rows])
    given = small_talk & (probabilities >= thresholds).any(axis=1)
    report["small_talk_rows_given_a_topic"] = f"{int(given.sum())} of {int(small_talk.sum())}"
    return report


def aspect_figures(classifier: EmotionClassifier, split: str) -> dict[str, object]:
    """Aspect-level satisfaction and aspect topics found on the aspect set's ``split``."""
    texts, gold = read_aspect_set(split)
    readings = classifier.predict(texts, aspects=True)
    clauses = [split_clauses(text) for text in texts]
    pieces = [clause for parts in clauses for clause in parts]
    read = classifier.raw_outputs(pieces)
    assert read.topics is not None and read.satisfaction is not None
    owners = np.repeat(np.arange(len(texts)), [len(parts) for parts in clauses])
    aspect_class, message_class = [], []
    for aspect in gold:
        mine = np.flatnonzero(owners == aspect.message)
        clause = mine[int(np.argmax(read.topics[mine, TOPIC_LABELS.index(aspect.topic)]))]
        aspect_class.append(SATISFACTION_CLASSES[int(np.argmax(read.satisfaction[clause]))])
        message_class.append(readings[aspect.message].satisfaction_class)
    truth = [a.satisfaction_class for a in gold]
    found = {(i, a.topic) for i, r in enumerate(readings) for a in r.aspects}
    wanted = {(a.message, a.topic) for a in gold}
    hits = len(found & wanted)
    return {
        "messages": len(texts), "aspects": len(gold),
        "satisfaction_macro_f1_per_aspect": round(float(f1_score(truth, aspect_class, average="macro")), 4),
        "satisfaction_macro_f1_one_per_message": round(float(f1_score(truth, message_class, average="macro")), 4),
        "satisfaction_right_per_aspect": round(float(np.mean(np.array(truth) == np.array(aspect_class))), 4),
        "satisfaction_right_one_per_message": round(float(np.mean(np.array(truth) == np.array(message_class))), 4),
        "aspect_topics_precision": round(hits / max(len(found), 1), 4),
        "aspect_topics_recall": round(hits / max(len(wanted), 1), 4),
    }


def cost_figures(classifier: EmotionClassifier, texts: list[str]) -> dict[str, object]:
    """Milliseconds per text: the whole reading, the views over word features alone (topics, intents), and the clauses
    aspects read."""
    start = time.perf_counter()
    raw = classifier.raw_outputs(texts)
    network = time.perf_counter() - start
    start = time.perf_counter()
    classifier.predict(texts, aspects=True)
    reading = time.perf_counter() - start
    assert raw.pooled is not None
    start = time.perf_counter()
    for _ in range(5):
        classifier.word_views([classifier.normalizer(t) for t in texts], raw.pooled, raw.early_pooled)
    topics = (time.perf_counter() - start) / 5
    several = sum(len(split_clauses(text)) > 1 for text in texts)
    per_text = 1000 / len(texts)
    return {"texts": len(texts), "texts_with_several_clauses": several,
            "reading_with_aspects_ms": round(reading * per_text, 3), "outputs_without_aspects_ms": round(network * per_text, 3),
            "word_views_ms": round(topics * per_text, 3)}


def main() -> None:
    """Print the topic, aspect and cost figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--split", default="test", choices=SPLITS)
    parser.add_argument("--aspect-split", default="test", choices=("dev", "test"))
    args = parser.parse_args()
    classifier = EmotionClassifier.from_pretrained(args.model)
    figures = {"topics": topic_figures(classifier, args.split),
               "aspects": aspect_figures(classifier, args.aspect_split),
               "cost": cost_figures(classifier, [r.text for r in read_corpus(split=args.split)])}
    print(json.dumps({"benchmark": f"topics ({args.split}) and aspects ({args.aspect_split})", **figures}, indent=2))


if __name__ == "__main__":
    main()
