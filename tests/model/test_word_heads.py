"""Heads over the pooled vector and word features with a hidden layer: what torch fits is what the runtime serves."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from emotrace.errors import EmotraceError
from emotrace.model import topic_terms
from emotrace.model.classifier import EmotionClassifier, sigmoid
from emotrace.model.group_heads import hidden_layer_of, load_group_heads, save_group_heads
from emotrace.model.labels import INTENT_VIEW
from emotrace.model.word_heads import WordHead, word_heads
from emotrace.paths import DEFAULT_MODEL_DIR
from emotrace.training import group_heads
from emotrace.training.group_heads import fit_hidden_head, fit_two_hidden_heads
from emotrace.training.intents import add_intent_view
from emotrace.training.written_corpus import intent_rows, read_corpus

MESSAGES = ["I want my money back or I'm leaving", "My lawyer needs a copy of the contract.", "🙂",
            "Cancel my account today. Done with you.", "The refund came through fine, thanks!"]


@pytest.fixture(scope="module")
def fitted(classifier, tmp_path_factory):
    """The shipped model with an intent head with a hidden layer, fitted on 400 corpus rows (small, quick)."""
    rows = intent_rows(read_corpus(split="train")[:400])
    pooled = classifier.raw_outputs(rows.texts).pooled
    words = classifier.topic_terms.sparse_features([classifier.normalizer(t) for t in rows.texts])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(group_heads, "HIDDEN_EPOCHS", 40)
        patch.setattr(group_heads, "HIDDEN_UNITS", 16)
        hidden, output = fit_hidden_head(pooled, words, rows.targets, seed=1)
    directory = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path_factory.mktemp("hidden") / "model")
    save_group_heads({**classifier.group_heads, INTENT_VIEW: output, hidden_layer_of(INTENT_VIEW): hidden}, directory)
    return EmotionClassifier.from_pretrained(directory), rows, hidden, output


def test_the_served_hidden_head_computes_what_torch_computes_over_dense_features(fitted) -> None:
    model, _, (w1, b1), (w2, b2) = fitted
    assert w1.shape == (3 * 16, 384 + model.topic_terms.width) and w2.shape == (4, 3 * 16)  # three fits side by side
    normalized = [model.normalizer(t) for t in MESSAGES]
    pooled = model.raw_outputs(MESSAGES).pooled
    dense = torch.as_tensor(np.hstack([pooled, model.topic_terms.features(normalized)]))
    hidden = torch.nn.functional.gelu(dense @ torch.as_tensor(w1).T + torch.as_tensor(b1), approximate="tanh")
    expected = torch.sigmoid(hidden @ torch.as_tensor(w2).T + torch.as_tensor(b2)).numpy()
    assert np.allclose(model.raw_outputs(MESSAGES).intents, expected, atol=1e-5)
    # what `emotrace adapt` refits: the output layer over the hidden activations gives the served probabilities
    assert np.allclose(sigmoid(model.head_inputs(normalized, pooled, model.raw_outputs(MESSAGES).early_pooled,
                                                 INTENT_VIEW) @ w2.T + b2), expected, atol=1e-5)


def test_the_hidden_head_learns_the_rows_it_was_fitted_on(fitted) -> None:
    model, rows, _, _ = fitted
    found, gold = model.raw_outputs(rows.texts).intents >= 0.5, rows.targets > 0
    assert gold.any(axis=1).mean() > 0.15  # saying "no intent" every time would miss these
    assert (found == gold).all(axis=1).mean() > 0.95


def test_a_hidden_layer_no_output_layer_reads_is_refused(fitted, tmp_path) -> None:
    model, _, (w1, b1), _ = fitted
    copy = shutil.copytree(model.directory, tmp_path / "model")
    heads = load_group_heads(copy, model.schema)
    save_group_heads({**heads, hidden_layer_of(INTENT_VIEW): (w1[:5], b1[:5])}, copy)
    with pytest.raises(EmotraceError, match=r"\[E113\].*hidden layer for 'intents'"):
        EmotionClassifier.from_pretrained(copy)


def test_word_features_multiply_alike_in_steps_that_split_a_text(classifier, monkeypatch) -> None:
    normalized = [classifier.normalizer(t) for t in MESSAGES]
    words = classifier.topic_terms.sparse_features(normalized)
    weight = np.random.default_rng(0).normal(size=(7, words.width)).astype(np.float32)
    whole = words.times(weight)
    monkeypatch.setattr(topic_terms, "PRODUCT_CHUNK", 3)  # steps of 3 non-zeros: texts straddle steps
    assert np.allclose(words.times(weight), whole, atol=1e-5)
    assert np.allclose(whole, words.dense() @ weight.T, atol=1e-4)


def test_the_intent_view_is_fitted_with_a_hidden_layer_over_words_and_tuned_on_dev(tmp_path, monkeypatch) -> None:
    """`emotrace train --recipe topics` (and the customer recipe) fit the intent view so, from a seed: the same rows
    give the same head."""
    monkeypatch.setattr(group_heads, "HIDDEN_EPOCHS", 3)
    monkeypatch.setattr(group_heads, "HIDDEN_UNITS", 8)
    train = intent_rows(read_corpus(split="train")[:300])
    dev = read_corpus(split="dev")[:150]
    heads = []
    for run in ("a", "b"):
        directory = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / run)
        add_intent_view(EmotionClassifier.from_pretrained(directory), train, dev, seed=5,
                        written=read_corpus(split="train")[:300])
        fitted = EmotionClassifier.from_pretrained(directory)
        heads.append(fitted.group_heads)
        hidden = fitted.group_heads[hidden_layer_of(INTENT_VIEW)][0]  # two heads (pooled, early) of three fits of 8
        assert hidden.shape == (2 * 3 * 8, 2 * 384 + fitted.topic_terms.width)
        assert fitted.thresholds.groupings[INTENT_VIEW] != EmotionClassifier.from_pretrained().thresholds.groupings[
            INTENT_VIEW]  # tuned on these dev rows
    for name in heads[0]:
        assert all(np.array_equal(a, b) for a, b in zip(heads[0][name], heads[1][name], strict=True))


def test_a_model_whose_word_heads_lack_their_vocabulary_is_refused_naming_the_file(tmp_path) -> None:
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    (copy / topic_terms.TOPIC_TERMS_FILE).unlink()
    # it served without topics, intents or the satisfaction view, saying nothing
    with pytest.raises(EmotraceError, match=r"\[E116\].*intents, satisfaction, topics.*topic_terms\.json"):
        EmotionClassifier.from_pretrained(copy)


def test_a_vocabulary_of_another_width_than_the_word_heads_is_refused(tmp_path) -> None:
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    terms = topic_terms.TopicTerms.load(copy)
    assert terms is not None
    kept = sorted(terms.vocabulary, key=terms.vocabulary.__getitem__)[:100]
    topic_terms.TopicTerms({term: i for i, term in enumerate(kept)}, terms.idf[:100], terms.scale).save(copy)
    with pytest.raises(EmotraceError, match=r"\[E113\].*'intents'.*100 word features"):
        EmotionClassifier.from_pretrained(copy)


def test_two_heads_fitted_side_by_side_read_as_their_blended_logits(classifier) -> None:
    """The intent view's two heads (over the pooled vector, over the early layer's), each with the same words, are one
    head whose hidden layer holds both fits' units: its logits are theirs blended at the early head's weight."""
    texts = [row.text for row in read_corpus(split="train")[:60]]
    words = classifier.topic_terms.sparse_features([classifier.normalizer(t) for t in texts])
    rng = np.random.default_rng(3)
    pooled, early = rng.normal(size=(60, 12)).astype(np.float32), rng.normal(size=(60, 7)).astype(np.float32)
    targets = (rng.random((60, 4)) < 0.3).astype(np.float32)
    weights = np.ones(60, dtype=np.float32)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(group_heads, "HIDDEN_EPOCHS", 3)
        hidden, output = fit_two_hidden_heads(pooled, early, words, targets, 5, weights, 0.3)
        first, first_out = fit_hidden_head(pooled, words, targets, 5, weights)
        second, second_out = fit_hidden_head(early, words, targets, 5, weights)
    blended = WordHead(output, hidden, reads_early=True)
    expected = 0.7 * WordHead(first_out, first).logits(pooled, words) + 0.3 * WordHead(second_out, second).logits(
        early, words)
    assert np.allclose(blended.logits(blended.vectors(pooled, early), words), expected, atol=1e-4)


def test_a_head_over_the_early_layer_on_a_graph_without_it_is_refused_with_what_to_do(tmp_path) -> None:
    """The shipped intent head reads the early layer's vector: with a model.onnx that does not output it (restored
    from an older copy), the model is refused naming the missing output and the fix; an old head (over the pooled
    vector alone) on a graph that outputs it is served as it was fitted."""
    heads = load_group_heads(DEFAULT_MODEL_DIR, EmotionClassifier.from_pretrained().schema)
    terms = topic_terms.TopicTerms.load(DEFAULT_MODEL_DIR)
    with pytest.raises(EmotraceError, match=r"E113.*does not output 'early_pooled'.*--recipe intents"):
        word_heads(heads, terms, 384)
    assert word_heads(heads, terms, 384, 384)[INTENT_VIEW].reads_early
    hidden, output = heads[hidden_layer_of(INTENT_VIEW)], heads[INTENT_VIEW]
    old = {INTENT_VIEW: (output[0][:, :192], output[1]),
           hidden_layer_of(INTENT_VIEW): (np.hstack([hidden[0][:192, :384], hidden[0][:192, 768:]]), hidden[1][:192])}
    assert not word_heads(old, terms, 384, 384)[INTENT_VIEW].reads_early
    with pytest.raises(ValueError, match="early_pooled"):
        word_heads(heads, terms, 384, 384)[INTENT_VIEW].vectors(np.zeros((1, 384)), None)
