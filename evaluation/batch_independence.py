"""One text, one reading: does a text's reading depend on the texts batched with it?

Reads GoEmotions dev texts one at a time, then in shuffled batches of several sizes (as the HTTP micro-batcher
and ``emotrace batch`` group them), and counts texts whose labels, grouped views or satisfaction class differ,
and the largest probability difference.

``python -m emotrace.evaluation.batch_independence [--texts 2000] [--model DIR]``
"""

from __future__ import annotations

import random
from typing import Annotated

import numpy as np
import typer

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.model.reading import Reading
from emotrace.settings import get_settings
from emotrace.training.data import read_goemotions_tsv

BATCH_SIZES = (8, 64, 256)


def _decisions(reading: Reading) -> tuple[object, ...]:
    return (reading.labels, {g: v.labels for g, v in reading.views.items()}, reading.satisfaction_class)


def _probabilities(reading: Reading) -> np.ndarray:
    values = [*reading.probabilities.values(), *(reading.satisfaction or {}).values()]
    values += [p for view in reading.views.values() for p in view.probabilities.values()]
    return np.asarray(values)


def compare(classifier: EmotionClassifier, texts: list[str], seed: int = 13) -> dict[str, float]:
    """Texts decided differently alone vs in shuffled batches, and the largest probability difference."""
    alone = [classifier.predict([text])[0] for text in texts]
    changed, largest = set(), 0.0
    rng = random.Random(seed)
    for size in BATCH_SIZES:
        order = list(range(len(texts)))
        rng.shuffle(order)
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            classifier.batch_size = size
            for i, reading in zip(rows, classifier.predict([texts[i] for i in rows]), strict=True):
                if _decisions(reading) != _decisions(alone[i]):
                    changed.add(i)
                largest = max(largest, float(np.abs(_probabilities(reading) - _probabilities(alone[i])).max()))
    return {"texts": len(texts), "changed_decisions": len(changed), "max_probability_difference": largest}


def main(texts: Annotated[int, typer.Option(help="GoEmotions dev texts to read")] = 2000,
         model: Annotated[str | None, typer.Option(help="model directory (default: the shipped model)")] = None) -> None:
    """Print how many texts read differently in a batch than alone."""
    dev = read_goemotions_tsv(get_settings().data_root / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS)
    result = compare(EmotionClassifier.from_pretrained(model), dev.texts[:texts])
    typer.echo(f"{result['texts']} texts, batches of {', '.join(map(str, BATCH_SIZES))}: "
               f"{result['changed_decisions']} read differently (labels, views or satisfaction class); "
               f"largest probability difference {result['max_probability_difference']:.2e}")


if __name__ == "__main__":
    typer.run(main)
