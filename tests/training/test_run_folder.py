"""What a run folder (``train --output``) left by another run may give the next one: nothing but a checkpoint that
matches it. Found by a review: only ``checkpoint.pt`` was matched against the run, so a leftover ``validation.json``
and ``best-epoch/`` were merged into (and packaged by) the next run, and a checkpoint of a run from another starting
network (``--from-model``) was resumed."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from emotrace.errors import EmotraceError
from emotrace.training.modeling import EmotionNet, base_encoder_path
from emotrace.training.trainer import BEST_EPOCH_FOLDER, CHECKPOINT_FILE, TaskData, Trainer, TrainingArguments

TEXTS = ["I love this, thank you!", "Best day ever", "This is wonderful news", "So glad it worked",
         "This is a disgrace", "I am furious with you", "Worst service, I hate it", "Stop lying to me"]


def _rows(labels: int, upper: bool = False) -> TaskData:
    targets = np.zeros((len(TEXTS), labels), dtype=np.float32)
    targets[np.arange(len(TEXTS)), np.arange(len(TEXTS)) % labels] = 1.0
    return TaskData([t.upper() if upper else t for t in TEXTS], targets)


def _net(labels: int, seed: int = 0) -> EmotionNet:
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return EmotionNet.from_base(labels, with_affect=False, with_satisfaction=False)


def _scorer(scores: list[float]):
    left = iter(scores)
    return lambda net: next(left)


def _first_run(run) -> None:
    """``train --data own.csv --output run`` (3 labels, two epochs, the second scored best), then
    ``rm run/checkpoint.pt``."""
    args = TrainingArguments(output_dir=run, epochs=2, batch_size=8, learning_rate=1e-3, checkpoint_every=1000)
    Trainer(_net(3), base_encoder_path(), {"emotion": _rows(3)}, args, validate=_scorer([0.5, 0.9])).train()
    assert (run / BEST_EPOCH_FOLDER).is_dir() and (run / "validation.json").exists()
    (run / CHECKPOINT_FILE).unlink()


@pytest.mark.parametrize("labels", [4, 3])
def test_a_leftover_validation_and_best_epoch_are_not_taken_for_a_new_runs(tmp_path, labels: int) -> None:
    """Repro: a second run stopped before its first epoch ended took the first run's scores for its own: with other
    labels, a size mismatch after training; with as many, "keeping epoch 2" and the first run's network packaged."""
    run = tmp_path / "run"
    _first_run(run)
    args = TrainingArguments(output_dir=run, epochs=2, batch_size=4, learning_rate=1e-3, max_steps=1)
    trained = Trainer(_net(labels, seed=1), base_encoder_path(), {"emotion": _rows(labels, upper=True)}, args,
                      validate=_scorer([])).train()
    checkpoint = torch.load(run / CHECKPOINT_FILE, weights_only=False)["model"]
    assert all(torch.equal(value, checkpoint[name]) for name, value in trained.state_dict().items())
    assert not (run / BEST_EPOCH_FOLDER).exists() and not (run / "validation.json").exists()


def test_a_new_run_scores_its_epochs_apart_from_a_leftover_runs(tmp_path) -> None:
    """The second run's epoch 1 (0.5) was merged with the first run's scores (epoch 2: 0.9), so the first run's
    network was kept as the best."""
    run = tmp_path / "run"
    _first_run(run)
    args = TrainingArguments(output_dir=run, epochs=1, batch_size=8, learning_rate=1e-3, checkpoint_every=1000)
    trained = Trainer(_net(3, seed=1), base_encoder_path(), {"emotion": _rows(3, upper=True)}, args,
                      validate=_scorer([0.5])).train()
    checkpoint = torch.load(run / CHECKPOINT_FILE, weights_only=False)["model"]
    assert all(torch.equal(value, checkpoint[name]) for name, value in trained.state_dict().items())
    assert json.loads((run / "validation.json").read_text())["scores"] == {"1": 0.5}


def test_a_resumed_run_keeps_its_own_scores_and_best_epoch(tmp_path) -> None:
    """A run stopped while scoring its third epoch, resumed: its scored epochs are kept, and so is its best
    network (epoch 2's, not the last one)."""
    run = tmp_path / "run"
    args = TrainingArguments(output_dir=run, epochs=3, batch_size=8, learning_rate=1e-3, checkpoint_every=1000)

    scores: list[float] = []

    def validate(net: EmotionNet) -> float:
        if len(scores) == 2:
            raise KeyboardInterrupt  # killed while scoring epoch 3 (its checkpoint saved)
        scores.append([0.5, 0.9][len(scores)])
        return scores[-1]

    with pytest.raises(KeyboardInterrupt):
        Trainer(_net(3), base_encoder_path(), {"emotion": _rows(3)}, args, validate=validate).train()
    trained = Trainer(_net(3), base_encoder_path(), {"emotion": _rows(3)}, args, validate=_scorer([])).train()
    assert json.loads((run / "validation.json").read_text())["scores"] == {"1": 0.5, "2": 0.9}
    kept = EmotionNet.from_directory(run / BEST_EPOCH_FOLDER).state_dict()
    assert all(torch.equal(value, kept[name]) for name, value in trained.state_dict().items())
    last = torch.load(run / CHECKPOINT_FILE, weights_only=False)["model"]
    assert not torch.equal(trained.emotion.weight, last["emotion.weight"])


def test_a_checkpoint_of_a_run_from_another_starting_network_is_not_resumed(tmp_path) -> None:
    """Repro: ``train --output runs1 --max-steps 2``, then the same rows and settings into runs1 ``--from-model m1``
    (the first run's model) said "resuming from step 2" and packaged runs1's network: the starting network was not
    part of what makes a checkpoint a run's."""
    run = tmp_path / "run"
    args = TrainingArguments(output_dir=run, epochs=2, batch_size=4, learning_rate=1e-3, max_steps=1)
    Trainer(_net(3), base_encoder_path(), {"emotion": _rows(3)}, args).train()
    from_model = EmotionNet.from_directory(run / "final")
    with pytest.raises(EmotraceError, match=r"E309.*other rows or settings"):
        Trainer(from_model, base_encoder_path(), {"emotion": _rows(3)}, args).train()
    Trainer(_net(3), base_encoder_path(), {"emotion": _rows(3)}, args).train()  # the same start resumes
