"""The torch network rebuilt from a packaged model's int8 graph (no trainable weights in the repository)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file
from transformers import AutoTokenizer

from emotrace.errors import EmotraceError
from emotrace.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier
from emotrace.model.group_heads import GROUP_HEADS_FILE, hidden_layer_of
from emotrace.model.labels import INTENT_VIEW
from emotrace.training.group_heads import fit_linear_head
from emotrace.training.modeling import EmotionNet, predict_heads
from emotrace.training.written_corpus import intent_rows, read_corpus

TEXTS = ["I have been waiting three weeks for my refund and nobody answers.",
         "Thank you so much, the agent was wonderful 😊", "Great, another delay. Just what I needed.",
         "My parcel arrived today.", "I'm closing my account if this isn't fixed by Friday."]


def test_the_shipped_model_rebuilds_the_network_it_serves(classifier: EmotionClassifier) -> None:
    assert not (DEFAULT_MODEL_DIR / "model.safetensors").exists()
    net = EmotionNet.from_directory(DEFAULT_MODEL_DIR)
    rebuilt = predict_heads(net, AutoTokenizer.from_pretrained(str(DEFAULT_MODEL_DIR)), TEXTS)
    served = classifier.raw_outputs(TEXTS)
    assert served.pooled is not None
    cosine = np.sum(rebuilt["pooled"] * served.pooled, axis=1) / (
        np.linalg.norm(rebuilt["pooled"], axis=1) * np.linalg.norm(served.pooled, axis=1))
    assert cosine.min() > 0.98, cosine
    # the graph's own heads come back too: its label probabilities as the graph computes them in fp32
    assert rebuilt["emotion_logits"].shape == (len(TEXTS), len(classifier.schema.labels))
    # the served intent head reads word features (through a hidden layer): the network has no place for it
    assert net.intents is None and "intent_logits" not in rebuilt
    assert {n for n, _ in net.named_parameters()} >= {"encoder.embeddings.word_embeddings.weight", "emotion.weight"}


def test_a_served_intent_head_over_the_pooled_vector_alone_becomes_the_networks(tmp_path: Path) -> None:
    target = tmp_path / "pooled-intents"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    rows = intent_rows(read_corpus(split="train")[:600])  # an intent head over the pooled vector alone, fitted
    pooled = EmotionClassifier.from_pretrained(target).raw_outputs(rows.texts).pooled
    heads = {name: value for name, value in load_file(str(target / GROUP_HEADS_FILE)).items()
             if not name.startswith(hidden_layer_of(INTENT_VIEW))}
    heads["intents.weight"], heads["intents.bias"] = fit_linear_head(pooled, rows.targets, l2_penalty=1e-3)
    save_file(heads, str(target / GROUP_HEADS_FILE))
    served = EmotionClassifier.from_pretrained(target).raw_outputs(TEXTS).intents
    net = EmotionNet.from_directory(target)
    assert net.intents is not None and served is not None
    rebuilt = predict_heads(net, AutoTokenizer.from_pretrained(str(target)), TEXTS)["intent_logits"]
    served_logits = np.log(served / (1 - served))
    # fp32 network beside the int8 graph: logits within rounding (a decision at 0.5 may flip near it), the same order
    assert np.corrcoef(rebuilt.ravel(), served_logits.ravel())[0, 1] > 0.99, (rebuilt, served_logits)
    assert np.abs(rebuilt - served_logits).max() < 1.5, (rebuilt, served_logits)
    assert rebuilt[:, 0].argmax() == served_logits[:, 0].argmax() == 4  # the churn threat reads churn most, both ways


def test_a_directory_with_no_weights_and_no_graph_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "half"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    (target / "model.onnx").unlink()
    with pytest.raises(EmotraceError) as caught:
        EmotionNet.from_directory(target)
    assert caught.value.code == "E308" and "model.onnx" in str(caught.value)
