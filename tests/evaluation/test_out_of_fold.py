"""Out-of-fold threshold tuning: scores held-out halves, so tuning cannot flatter noise."""

from __future__ import annotations

import numpy as np

from emotrace.evaluation.out_of_fold import out_of_fold_f1


def test_separable_labels_score_one_both_ways() -> None:
    rng = np.random.default_rng(1)
    targets = (rng.random((400, 3)) < 0.3).astype(np.float32)
    targets[targets.sum(axis=1) == 0, 0] = 1.0  # every text has a label, as in GoEmotions (see decide)
    probabilities = np.where(targets > 0, 0.8, 0.2).astype(np.float32)
    assert out_of_fold_f1(probabilities, targets, halvings=3) == (1.0, 1.0)


def test_tuning_flatters_noise_in_sample_only() -> None:
    rng = np.random.default_rng(2)
    targets = (rng.random((300, 4)) < 0.1).astype(np.float32)
    probabilities = rng.random((300, 4)).astype(np.float32)  # unrelated to the targets
    in_sample, held_out = out_of_fold_f1(probabilities, targets, halvings=5)
    assert in_sample > held_out + 0.02
