"""Fitting the grouped-view heads (Ekman, sentiment) on the served model's pooled text vectors.

The last packaging step of the shipped recipe: with the network frozen, one linear map per grouping
learns the grouped GoEmotions train labels (a text is in a group when any member label is gold) by
binary cross-entropy. The vectors come from the exported int8 runtime itself: heads fitted on the
fp32 network's vectors lost 0.008 Ekman macro-F1 when served on the int8 ones. See
:mod:`emotrace.model.group_heads` for how the runtime reads them.
"""

from __future__ import annotations

import numpy as np
import torch
from tqdm import tqdm

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.decision import group_matrix, group_targets
from emotrace.model.group_heads import save_group_heads
from emotrace.model.labelled import LabelledTexts

EPOCHS = 40
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 1e-4
BATCH_SIZE = 256
ENCODE_BATCH = 2048  # texts per runtime call while encoding (progress granularity)


def fit_linear_head(features: np.ndarray, targets: np.ndarray, seed: int = 13) -> tuple[np.ndarray, np.ndarray]:
    """Weight (outputs, hidden) and bias (outputs,) of a linear multi-label head fitted by BCE with AdamW."""
    generator = torch.Generator().manual_seed(seed)
    x, y = torch.as_tensor(features, dtype=torch.float32), torch.as_tensor(targets, dtype=torch.float32)
    head = torch.nn.Linear(x.shape[1], y.shape[1])
    with torch.no_grad():  # start from the base rates: every group begins at its share of the rows
        head.weight.zero_()
        head.bias.copy_(torch.logit(y.mean(dim=0).clamp(1e-4, 1 - 1e-4)))
    optimizer = torch.optim.AdamW(head.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    for _ in range(EPOCHS):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(head(x[rows]), y[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return head.weight.detach().numpy().copy(), head.bias.detach().numpy().copy()


def add_group_heads(classifier: EmotionClassifier, train: LabelledTexts) -> None:
    """Fit one head per grouping of the classifier's labels on its pooled vectors of ``train``; save them
    into its model directory (a newly loaded classifier reads its grouped views from them)."""
    schema = classifier.schema
    parts = []
    for start in tqdm(range(0, len(train.texts), ENCODE_BATCH), desc="group heads: encoding", unit="batch"):
        pooled = classifier.raw_outputs(train.texts[start : start + ENCODE_BATCH]).pooled
        if pooled is None:
            raise ValueError(f"{classifier.directory} outputs no pooled vector: re-export it with this version")
        parts.append(pooled)
    features = np.concatenate(parts)
    heads = {grouping: fit_linear_head(features, group_targets(train.targets, group_matrix(schema, grouping)))
             for grouping in tqdm(schema.groupings, desc="group heads: fitting")}
    save_group_heads(heads, classifier.directory)
