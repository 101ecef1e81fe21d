"""Agreement between the written corpus's labels and a second reader's (``data/customer_service/second_reader.jsonl``:
960 rows, 80 from each of waves 1-8 and 10-13, labelled blind from the text and the datasheet's policy):
satisfaction and each intent, raw agreement and Cohen's kappa, overall and per wave; where the second reader labelled
topics too (waves 7, 8 and 11-13), whether the row is about a topic at all (kappa) and the exact topic set.

    python -m emotrace.evaluation.annotator_agreement
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from sklearn.metrics import cohen_kappa_score

from emotrace.evaluation.written_corpus import wave, wave_order
from emotrace.model.labels import INTENT_LABELS
from emotrace.paths import CORPUS_DIR
from emotrace.training.written_corpus import OTHER_TOPIC, CorpusRow, read_corpus

SECOND_READER_FILE = CORPUS_DIR / "second_reader.jsonl"


class SecondReading(NamedTuple):
    """The second reader's labels of one row."""

    satisfaction: str
    intents: tuple[str, ...]
    topics: tuple[str, ...] | None = None  # None: topics not read


def agreement(pairs: list[tuple[CorpusRow, SecondReading]]) -> dict[str, float]:
    """Satisfaction and per-intent agreement of the writers' labels (rows) with the second reader's."""
    writer = [row.satisfaction for row, _ in pairs]
    second = [labels.satisfaction for _, labels in pairs]
    out = {"satisfaction_agreement": sum(a == b for a, b in zip(writer, second, strict=True)) / len(pairs),
           "satisfaction_kappa": _kappa(writer, second),
           "intent_set_agreement": sum(set(row.intents) == set(labels.intents) for row, labels in pairs) / len(pairs)}
    for intent in INTENT_LABELS:
        mine = [intent in row.intents for row, _ in pairs]
        theirs = [intent in labels.intents for _, labels in pairs]
        out[f"{intent}_kappa"] = _kappa(mine, theirs)
    with_topics = [(row, labels.topics) for row, labels in pairs if labels.topics is not None]
    if with_topics:
        mine = [_has_topic(row.topics) for row, _ in with_topics]
        theirs = [_has_topic(topics) for _, topics in with_topics]
        out["topic_rows"] = len(with_topics)
        out["has_topic_agreement"] = sum(a == b for a, b in zip(mine, theirs, strict=True)) / len(with_topics)
        out["has_topic_kappa"] = _kappa(mine, theirs)
        out["topic_set_agreement"] = sum(set(row.topics) == set(topics) for row, topics in with_topics) / len(with_topics)
    return out


def _kappa(mine: Sequence[object], theirs: Sequence[object]) -> float:
    """Cohen's kappa; 1.0 where both readers give one and the same class to every row (kappa is undefined there)."""
    return 1.0 if len({*mine, *theirs}) == 1 else float(cohen_kappa_score(mine, theirs))


def _has_topic(topics: tuple[str, ...]) -> bool:
    return any(topic != OTHER_TOPIC for topic in topics)


def main() -> None:
    """Print the agreement overall and per wave."""
    second = {d["id"]: SecondReading(d["satisfaction"], tuple(d["intents"]),
                                     tuple(d["topics"]) if "topics" in d else None)
              for d in map(json.loads, SECOND_READER_FILE.read_text(encoding="utf-8").splitlines())}
    pairs = [(row, second[row.id]) for row in read_corpus() if row.id in second]
    groups = {"all": pairs, **{w: [p for p in pairs if wave(p[0].id) == w]
                               for w in sorted({wave(row.id) for row, _ in pairs}, key=wave_order)}}
    for name, group in groups.items():
        print(f"{name:<7} rows {len(group)}  " + "  ".join(f"{k} {v:.3f}" for k, v in agreement(group).items()
                                                          if k != "topic_rows"))


if __name__ == "__main__":
    main()
