"""Labelled texts: the type every reader of labelled data returns and every metric reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LabelledTexts:
    """Texts with a multi-hot label matrix over ``labels``."""

    texts: list[str]
    targets: np.ndarray  # (n, len(labels)) float32 of 0/1
    labels: tuple[str, ...]
