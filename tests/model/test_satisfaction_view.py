"""The satisfaction view over the pooled vector and word features: what torch fits is what the runtime serves, texts
are read whole, and the view is fitted from a seed on the rows it says, calibrated on the sources' dev split."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier, softmax
from emotrace.model.group_heads import HIDDEN_LAYER_SUFFIX, SATISFACTION_HEAD, load_group_heads, save_group_heads
from emotrace.model.labels import INTENT_VIEW, TOPIC_VIEW, LabelSchema
from emotrace.model.topic_terms import TOPIC_TERMS_FILE
from emotrace.paths import DEFAULT_MODEL_DIR
from emotrace.training import group_heads, satisfaction_view
from emotrace.training.adapt import network_head
from emotrace.training.group_heads import fit_softmax_word_offset
from emotrace.training.pipeline import run_word_views_fit
from emotrace.training.satisfaction_data import SatisfactionData
from emotrace.training.satisfaction_view import add_satisfaction_view, satisfaction_view_rows
from emotrace.training.written_corpus import CorpusRow, read_corpus, satisfaction_classes

MESSAGES = ["Wow, thanks for charging me twice. Really appreciate it.", "Is it too much to ask for a correct bill?",
            "The engineer was brilliant, sorted in ten minutes.", "Can I change the delivery address?", "🙂"]


def fit_on_corpus_rows(classifier: EmotionClassifier, rows: list[CorpusRow], epochs: int, penalty: float
                       ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The rows' pooled vectors, and a satisfaction offset from the network's head fitted on them (every row weight 1)."""
    texts = [r.text for r in rows]
    pooled = classifier.raw_outputs(texts).pooled
    words = classifier.topic_terms.sparse_features([classifier.normalizer(t) for t in texts])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(group_heads, "SOFTMAX_EPOCHS", epochs)
        patch.setattr(group_heads, "SOFTMAX_PENALTY", penalty)
        return pooled, fit_softmax_word_offset(pooled, words, satisfaction_classes(rows),
                                               network_head(classifier, SATISFACTION_HEAD), seed=1,
                                               row_weights=np.ones(len(rows), dtype=np.float32))


@pytest.fixture(scope="module")
def fitted(classifier, tmp_path_factory):
    """The shipped model with a satisfaction head over words, fitted on 400 corpus rows across its waves (quick)."""
    rows = read_corpus(split="train")[::20][:400]
    _, head = fit_on_corpus_rows(classifier, rows, epochs=30, penalty=0.0)
    directory = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path_factory.mktemp("satisfaction") / "model")
    save_group_heads({**classifier.group_heads, SATISFACTION_HEAD: head}, directory)
    return EmotionClassifier.from_pretrained(directory), rows, head


def test_the_served_satisfaction_is_the_softmax_torch_computes_over_dense_features(fitted) -> None:
    model, _, (weight, bias) = fitted
    assert weight.shape == (3, 384 + model.topic_terms.width)
    normalized = [model.normalizer(t) for t in MESSAGES]
    pooled = model.raw_outputs(MESSAGES).pooled
    dense = torch.as_tensor(np.hstack([pooled, model.topic_terms.features(normalized)]))
    expected = torch.softmax(dense @ torch.as_tensor(weight).T + torch.as_tensor(bias), dim=1).numpy()
    assert np.allclose(model.raw_outputs(MESSAGES).satisfaction, expected, atol=1e-5)
    readings = model.predict(MESSAGES)
    assert [r.satisfaction_class for r in readings] == [
        ("dissatisfied", "neutral", "satisfied")[i] for i in expected.argmax(axis=1)]
    # what `emotrace adapt` refits: the head over what head_inputs gives reads the served probabilities
    inputs = model.head_inputs(normalized, pooled, None, SATISFACTION_HEAD)  # the satisfaction head reads no early
    assert np.allclose(softmax(inputs @ weight.T + bias), expected, atol=1e-5)


def test_the_satisfaction_head_learns_the_rows_it_was_fitted_on(fitted) -> None:
    model, rows, _ = fitted
    gold = satisfaction_classes(rows)
    assert np.bincount(gold).max() < 0.7 * len(gold)  # one class every time would miss a third of the rows
    assert (model.raw_outputs([r.text for r in rows]).satisfaction.argmax(axis=1) == gold).mean() > 0.95


def test_a_heavy_penalty_keeps_the_network_reading(classifier) -> None:
    """The view is an offset from the network's own head: where the penalty outweighs what the rows pay, it reads
    what the network reads (the pooled weights stay the network's, the words weigh nothing)."""
    pooled, (weight, bias) = fit_on_corpus_rows(classifier, read_corpus(split="train")[::50][:120], epochs=3,
                                                penalty=1e4)
    start = network_head(classifier, SATISFACTION_HEAD)
    assert np.abs(weight[:, :384] - start[0]).max() < 1e-3 and np.abs(weight[:, 384:]).max() < 1e-3
    network = softmax(pooled @ start[0].T + start[1])  # the bias alone moves freely (unpenalised): a shift in base rate
    assert np.abs(softmax(pooled @ weight[:, :384].T + bias) - network).max() < 0.05


def test_a_long_text_is_read_whole(fitted) -> None:
    """Several chunks: their token-weighted mean pooled vector and the whole text's words, one reading."""
    model, _, (weight, bias) = fitted
    text = " ".join(["The parcel came late again and nobody answered the phone."] * 40)
    raw = model.raw_outputs([text])
    assert raw.chunks[0] > 1
    words = model.topic_terms.features([model.normalizer(text)])
    expected = softmax(np.hstack([raw.pooled, words]) @ weight.T + bias)
    assert np.allclose(raw.satisfaction, expected, atol=1e-5)


def test_the_view_learns_the_sources_and_the_corpus_train_split_only(data_root) -> None:
    train = read_corpus(split="train")
    rows, weights = satisfaction_view_rows(data_root, train, seed=13)
    corpus = [i for i, s in enumerate(rows.sources) if s == "written_corpus"]
    assert len(corpus) == len(train) and set(weights[corpus]) == {satisfaction_view.CORPUS_WEIGHT}
    held = {r.text for r in read_corpus(split="dev") + read_corpus(split="test")}
    assert not held & set(rows.texts)
    sources = [i for i, s in enumerate(rows.sources) if s != "written_corpus"]
    assert set(weights[sources]) == {1.0}
    counts = {(s, c) for s, c in zip(rows.sources, rows.classes, strict=True) if s != "written_corpus"}
    assert all(sum(1 for k in zip(rows.sources, rows.classes, strict=True) if k == key) <= satisfaction_view.SOURCE_CAP
               for key in counts)


def test_the_view_is_fitted_from_a_seed_and_calibrated(tmp_path, monkeypatch, data_root) -> None:
    """`emotrace train --recipe satisfaction` (and topics, and the customer recipe): the same rows give the same
    head, its temperature (fitted on the sources' dev rows) folded into its weights."""
    monkeypatch.setattr(group_heads, "SOFTMAX_EPOCHS", 2)
    real = satisfaction_view.load_satisfaction

    def fewer(root, split, cap_per_source_class=None, seed=13) -> SatisfactionData:  # 40 rows per source and class
        return real(root, split, 40, seed)

    monkeypatch.setattr(satisfaction_view, "load_satisfaction", fewer)
    read: dict[tuple[str, ...], np.ndarray] = {}  # the second fit reads the first's vectors: the fit is what is tested

    def once(classifier: EmotionClassifier, texts: list[str], what: str) -> np.ndarray:
        if tuple(texts) not in read:
            read[tuple(texts)] = real_pooled(classifier, texts, what)
        return read[tuple(texts)]

    real_pooled = satisfaction_view.pooled_vectors
    monkeypatch.setattr(satisfaction_view, "pooled_vectors", once)
    heads, temperatures = [], []
    for run in ("a", "b"):
        directory = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / run)
        temperatures.append(add_satisfaction_view(EmotionClassifier.from_pretrained(directory), data_root,
                                                  read_corpus(split="train")[:200], seed=5))
        heads.append(EmotionClassifier.from_pretrained(directory).group_heads[SATISFACTION_HEAD])
    # found by a review: on 12 rows per source and class the fit is 1.0, which an unfitted temperature reads too
    assert temperatures[0] == temperatures[1] and temperatures[0] != 1.0 and 0.5 <= temperatures[0] <= 3.0
    assert all(np.array_equal(a, b) for a, b in zip(heads[0], heads[1], strict=True))
    assert heads[0][0].shape[1] == 384 + EmotionClassifier.from_pretrained(tmp_path / "a").topic_terms.width


def model_without_word_views(folder: Path) -> Path:
    """A copy of the shipped model with neither word vocabulary nor the heads that read it (as `train --data`
    builds a model of one's own labels)."""
    directory = shutil.copytree(DEFAULT_MODEL_DIR, folder)
    (directory / TOPIC_TERMS_FILE).unlink()
    heads = load_group_heads(directory, LabelSchema.load(directory))
    save_group_heads({k: v for k, v in heads.items()
                      if k.removesuffix(HIDDEN_LAYER_SUFFIX) not in (INTENT_VIEW, TOPIC_VIEW, SATISFACTION_HEAD)},
                     directory)
    return directory


def test_the_view_needs_the_word_vocabulary(tmp_path, data_root) -> None:
    directory = model_without_word_views(tmp_path / "model")
    with pytest.raises(EmotraceError, match=r"\[E318\]"):
        add_satisfaction_view(EmotionClassifier.from_pretrained(directory), data_root, [], seed=1)


def test_the_recipe_refuses_a_model_without_the_vocabulary_before_copying_it(tmp_path, data_root) -> None:
    """`emotrace train --recipe satisfaction` copied the from-model into --model-dir before finding it could not fit
    the view: a failed run left a folder behind that the next run refused (E314)."""
    source = model_without_word_views(tmp_path / "model")
    with pytest.raises(EmotraceError, match=r"\[E318\]"):
        run_word_views_fit(tmp_path / "out", data_root, "emotrace train --recipe satisfaction", source, "satisfaction")
    assert not (tmp_path / "out").exists()
