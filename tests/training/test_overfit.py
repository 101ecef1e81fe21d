"""A tiny model overfits a handful of texts, then survives save -> export -> load."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from transformers import AutoTokenizer

from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier, sigmoid
from emotrace.model.group_heads import (
    EARLY_LAYER,
    EARLY_POOLED_OUTPUT,
    LABEL_HEAD,
    POOLED_OUTPUT,
    hidden_layer_of,
)
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS, INTENT_LABELS, INTENT_VIEW, TOPIC_LABELS, TOPIC_VIEW, LabelSchema
from emotrace.paths import DEFAULT_MODEL_DIR
from emotrace.training.export import export_onnx
from emotrace.training.group_heads import fit_linear_head
from emotrace.training.modeling import EmotionNet, base_encoder_path
from emotrace.training.package import WrittenCorpus, package_model, refit_heads
from emotrace.training.pipeline import learnt_from_corpus, start_network, with_corpus_rows
from emotrace.training.provenance import Provenance, read_provenance
from emotrace.training.trainer import TaskData, Trainer, TrainingArguments
from emotrace.training.written_corpus import CorpusRow, intent_rows, read_corpus
from tests.training.test_model_card import card_header, metric

TEXTS = {
    "happy": ["I love this, thank you!", "Best day ever 😊", "This is wonderful news", "So glad it worked"],
    "angry": ["This is a disgrace 😠", "I am furious with you", "Worst service, I hate it", "Stop lying to me"],
}
LABELS = ("happy", "angry")
PROVENANCE = Provenance(training_data=["tests"], recipe=["Overfitted."], commands=["pytest"])


def _data() -> LabelledTexts:
    texts = [t for label in LABELS for t in TEXTS[label]]
    targets = np.array([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 4, dtype=np.float32)
    return LabelledTexts(texts, targets, LABELS)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    torch.manual_seed(0)
    run = tmp_path_factory.mktemp("run")
    data = _data()
    net = EmotionNet.from_base(len(LABELS), with_affect=False, with_satisfaction=False)
    args = TrainingArguments(output_dir=run, epochs=12, batch_size=4, learning_rate=3e-4, warmup_ratio=0.0)
    Trainer(net, base_encoder_path(), {"emotion": TaskData(data.texts, data.targets)}, args).train()
    model_dir = tmp_path_factory.mktemp("model")
    schema = LabelSchema(LABELS, {"tone": {"good": ("happy",), "bad": ("angry",)}}, None)
    metrics = package_model(run / "final", model_dir, schema, data, None, PROVENANCE, data.texts, group_train=data,
                            refit_labels=True)
    return run, model_dir, metrics


def test_overfits_training_texts(trained) -> None:
    _, model_dir, metrics = trained
    assert metrics["emotions_dev"]["macro_f1"] == 1.0
    classifier = EmotionClassifier.from_pretrained(model_dir)
    readings = classifier.predict(TEXTS["happy"] + TEXTS["angry"])
    assert [r.labels for r in readings] == [["happy"]] * 4 + [["angry"]] * 4
    assert set(classifier.group_heads) == {"tone", LABEL_HEAD}  # fitted while packaging, read by the runtime
    assert [r.views["tone"].labels for r in readings] == [["good"]] * 4 + [["bad"]] * 4
    header = card_header(model_dir)
    assert header["datasets"] == ["tests"] and header["base_model"] == PROVENANCE.base_model
    assert metric(header, "validation", "macro-F1") == 1.0 and metric(header, "validation", "tone macro-F1") == 1.0
    assert read_provenance(model_dir) == PROVENANCE


def _padded_batch(model_dir, texts: list[str]) -> dict[str, np.ndarray]:
    """The texts padded by the transformers tokenizer training saved (the torch side of the comparisons)."""
    encoded = AutoTokenizer.from_pretrained(str(model_dir))(texts, padding=True, return_tensors="np")
    return {name: encoded[name].astype(np.int64) for name in ("input_ids", "attention_mask")}


def _torch_emotion_logits(net: EmotionNet, inputs: dict[str, np.ndarray]) -> np.ndarray:
    with torch.no_grad():
        return net(*(torch.from_numpy(inputs[n]) for n in ("input_ids", "attention_mask")))["emotion_logits"].numpy()


def test_save_load_round_trip_and_onnx_matches_torch(trained) -> None:
    run, model_dir, _ = trained
    net = EmotionNet.from_directory(run / "final").eval()
    classifier = EmotionClassifier.from_pretrained(model_dir)
    texts = TEXTS["happy"][:2] + TEXTS["angry"][:2]
    torch_probs = sigmoid(_torch_emotion_logits(net, _padded_batch(model_dir, texts)))
    onnx = classifier.raw_outputs(texts)
    assert np.abs(torch_probs - onnx.probabilities).max() < 0.05
    assert POOLED_OUTPUT in classifier.outputs  # the group heads' input is exported too


def test_fp32_export_reads_padded_batches_like_torch(trained, tmp_path) -> None:
    run, model_dir, _ = trained
    net = EmotionNet.from_directory(run / "final").eval()
    attention = net.encoder.config._attn_implementation
    session = ort.InferenceSession(str(export_onnx(net, tmp_path / "fp32.onnx")), providers=["CPUExecutionProvider"])
    assert net.encoder.config._attn_implementation == attention  # the eager export leaves the network as it was
    texts = ["No", "I love this, thank you so much for all the help today!", "This is a disgrace 😠"]
    inputs = _padded_batch(model_dir, texts)
    onnx_logits = session.run(["emotion_logits"], inputs)[0]
    assert np.abs(onnx_logits - _torch_emotion_logits(net, inputs)).max() < 1e-4


def test_resume_continues_from_checkpoint(trained, tmp_path) -> None:
    run, _, _ = trained
    data = _data()
    torch.manual_seed(0)  # the network the run started from (the seed it was made with): a checkpoint is its run's
    net = EmotionNet.from_base(len(LABELS), with_affect=False, with_satisfaction=False)
    args = TrainingArguments(output_dir=run, epochs=12, batch_size=4, learning_rate=3e-4, warmup_ratio=0.0)
    trainer = Trainer(net, base_encoder_path(), {"emotion": TaskData(data.texts, data.targets)}, args)
    finished = EmotionNet.from_directory(run / "final")
    trainer.train()  # checkpoint says all steps are done: nothing to train, weights restored
    for (name, a), b in zip(net.state_dict().items(), finished.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_resuming_another_networks_checkpoint_is_a_clear_error(trained) -> None:
    run, _, _ = trained
    data = _data()
    other = EmotionNet.from_base(3, with_affect=False, with_satisfaction=False)  # three labels, not two
    args = TrainingArguments(output_dir=run, epochs=12, batch_size=4)
    targets = np.zeros((len(data.texts), 3), dtype=np.float32)
    with pytest.raises(EmotraceError, match="E309"):
        Trainer(other, base_encoder_path(), {"emotion": TaskData(data.texts, targets)}, args).train()


def test_resuming_a_checkpoint_of_other_rows_is_a_clear_error(trained) -> None:
    """Two ``train --data`` runs into one --output (runs/default unless told) with as many labels: the second
    resumed the first's checkpoint and, the first having finished, packaged its network under the second's name."""
    run, _, _ = trained
    data = _data()
    net = EmotionNet.from_base(len(LABELS), with_affect=False, with_satisfaction=False)
    args = TrainingArguments(output_dir=run, epochs=12, batch_size=4, learning_rate=3e-4, warmup_ratio=0.0)
    other_rows = TaskData([text.upper() for text in data.texts], data.targets)
    with pytest.raises(EmotraceError, match=r"E309.*other rows or settings"):
        Trainer(net, base_encoder_path(), {"emotion": other_rows}, args).train()
    with pytest.raises(EmotraceError, match=r"E309.*other rows or settings"):
        Trainer(net, base_encoder_path(), {"emotion": TaskData(data.texts, data.targets)},
                replace(args, learning_rate=1e-4)).train()


def _train_briefly(run, seed: int) -> dict[str, torch.Tensor]:
    data = _data()
    net, _ = start_network(LABELS, None, with_extra_heads=False, seed=seed)
    args = TrainingArguments(output_dir=run, epochs=1, batch_size=4, learning_rate=3e-4, seed=seed)
    return Trainer(net, base_encoder_path(), {"emotion": TaskData(data.texts, data.targets)}, args).train().state_dict()


def test_the_same_seed_trains_the_same_network(tmp_path) -> None:
    first, again = _train_briefly(tmp_path / "a", seed=5), _train_briefly(tmp_path / "b", seed=5)
    for name, value in first.items():
        assert torch.equal(value, again[name]), name
    other = _train_briefly(tmp_path / "c", seed=6)
    assert not torch.equal(first["emotion.weight"], other["emotion.weight"])


def test_encoder_can_train_at_its_own_rate(tmp_path) -> None:
    data = _data()
    net = EmotionNet.from_base(len(LABELS), with_affect=False, with_satisfaction=False)
    args = TrainingArguments(output_dir=tmp_path, learning_rate=3e-4, encoder_learning_rate=3e-5)
    groups = Trainer(net, base_encoder_path(), {"emotion": TaskData(data.texts, data.targets)}, args)._parameter_groups()
    rates = {id(p): group["lr"] for group in groups for p in group["params"]}
    assert rates[id(net.emotion.weight)] == 3e-4
    assert rates[id(net.encoder.embeddings.word_embeddings.weight)] == 3e-5
    assert sum(len(group["params"]) for group in groups) == len(list(net.parameters()))


def test_a_linear_group_head_learns_separable_groups() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(4000, 8)).astype(np.float32)
    targets = np.stack([features[:, 0] > 0, features[:, 1] < 0], axis=1).astype(np.float32)
    weight, bias = fit_linear_head(features, targets)
    predicted = (features @ weight.T + bias) > 0
    assert weight.shape == (2, 8) and bias.shape == (2,)
    assert (predicted == targets.astype(bool)).mean() > 0.95


def test_refitting_the_heads_keeps_the_readings_and_extends_the_card(trained, tmp_path) -> None:
    """``--recipe heads`` on a packaged model: heads refit on its own vectors, the card keeps how the network was made
    and adds the refit's command and step."""
    _, model_dir, _ = trained
    copy = shutil.copytree(model_dir, tmp_path / "model")
    (copy / "group_heads.safetensors").unlink()
    metrics = refit_heads(copy, _data(), _data(), None, "emotrace train --recipe heads", "Heads refit.")
    assert metrics["emotions_dev"]["macro_f1"] == 1.0
    classifier = EmotionClassifier.from_pretrained(copy)
    assert set(classifier.group_heads) == {"tone", LABEL_HEAD}
    assert [r.labels for r in classifier.predict(TEXTS["happy"] + TEXTS["angry"])] == [["happy"]] * 4 + [["angry"]] * 4
    provenance = read_provenance(copy)
    assert provenance.commands == ["pytest", "emotrace train --recipe heads"] and provenance.training_data == ["tests"]
    assert provenance.recipe == ["Overfitted.", "Heads refit."]
    assert (copy / "MODEL_CARD.md").read_text().count("Heads refit.") == 1
    refit_heads(copy, _data(), _data(), None, "emotrace train --recipe heads", "Heads refit.")
    assert read_provenance(copy) == provenance  # the same refit again: nothing new to tell


def test_packaged_graph_has_fixed_activation_scales(trained) -> None:
    """No per-batch quantization is left in the runtime graph, so a text reads the same in any batch."""
    import onnx

    _, model_dir, _ = trained
    ops = {node.op_type for node in onnx.load(str(model_dir / "model.onnx")).graph.node}
    assert "DynamicQuantizeLinear" not in ops
    assert {"QuantizeLinear", "MatMulIntegerToFloat"} <= ops
    classifier = EmotionClassifier.from_pretrained(model_dir)
    texts = TEXTS["happy"] + TEXTS["angry"]
    batched = classifier.raw_outputs(texts).probabilities
    alone = np.concatenate([classifier.raw_outputs([t]).probabilities for t in texts])
    assert np.abs(batched - alone).max() < 1e-4


def test_early_stopping_keeps_the_best_epoch(tmp_path) -> None:
    scores = iter([0.5, 0.9, 0.4, 0.3, 0.2, 0.1])  # best at epoch 2, then two worse epochs: patience 2 stops at 4
    seen: list[dict[str, torch.Tensor]] = []

    def validate(net: EmotionNet) -> float:
        seen.append({name: value.clone() for name, value in net.state_dict().items()})
        return next(scores)

    data = _data()
    net = EmotionNet.from_base(len(LABELS), with_affect=False, with_satisfaction=False)
    args = TrainingArguments(output_dir=tmp_path, epochs=6, batch_size=8, learning_rate=1e-3, patience=2,
                             checkpoint_every=1000)
    trained = Trainer(net, base_encoder_path(), {"emotion": TaskData(data.texts, data.targets)}, args,
                      validate=validate).train()
    assert len(seen) == 4
    best, last, kept = seen[1], seen[3], trained.state_dict()
    assert all(torch.equal(kept[name], best[name]) for name in best)
    assert not all(torch.equal(kept[name], last[name]) for name in last)
    # one network on disk besides the final one (not one per epoch: a 12-epoch run filled a CI disk)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["best-epoch", "final"]


def test_a_run_without_validation_keeps_no_network_per_epoch(tmp_path) -> None:
    data = _data()
    net = EmotionNet.from_base(len(LABELS), with_affect=False, with_satisfaction=False)
    args = TrainingArguments(output_dir=tmp_path, epochs=3, batch_size=8, learning_rate=1e-3, checkpoint_every=1000)
    Trainer(net, base_encoder_path(), {"emotion": TaskData(data.texts, data.targets)}, args).train()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["final"]


INTENT_TEXTS = [
    ("I'm cancelling my plan, goodbye", ("churn_threat",)), ("Get me your manager right now", ("escalation_request",)),
    ("I want my money back today", ("refund_request",)), ("My lawyer will sue you", ("legal_threat",)),
    ("What time do you open?", ()), ("Where is the nearest store?", ()), ("Thanks for the help", ()),
    ("I'm cancelling and I want a refund", ("churn_threat", "refund_request")),
]


@pytest.fixture(scope="module")
def with_word_views(trained, tmp_path_factory):
    """The tiny network packaged with written rows: its intent and topic views fitted over words."""
    run, _, _ = trained
    rows = [CorpusRow(f"t-{i}", text, "chat", "test", "dissatisfied" if intents else "neutral", intents,
                      ("refund_compensation",) if "refund" in text or "money" in text else ("other",),
                      ("neutral",), ("inquiry",)) for i, (text, intents) in enumerate(INTENT_TEXTS)]
    schema = LabelSchema(LABELS, {}, None, INTENT_LABELS)
    model_dir = tmp_path_factory.mktemp("views") / "model"
    package_model(run / "final", model_dir, schema, _data(), None, PROVENANCE, _data().texts,
                  group_train=_data(), refit_labels=True, corpus=WrittenCorpus(intent_rows(rows), rows, rows))
    return model_dir


def test_the_intent_head_is_fitted_tuned_and_read_alike_alone_and_in_a_batch(with_word_views) -> None:
    """Packaging with written rows fits the intent head over the pooled vector and tunes its thresholds; the runtime
    reads the intents view (several or none may fire), the same for a text alone and in a batch."""
    classifier = EmotionClassifier.from_pretrained(with_word_views)
    assert set(classifier.thresholds.groupings[INTENT_VIEW]) == set(INTENT_LABELS)
    assert set(classifier.thresholds.groupings[TOPIC_VIEW]) == set(TOPIC_LABELS)  # packaging fits the topic view too
    texts = [text for text, _ in INTENT_TEXTS]
    readings = classifier.predict(texts)
    assert [set(r.views[INTENT_VIEW].labels) for r in readings] == [set(i) for _, i in INTENT_TEXTS]
    for text, batched in zip(texts, readings, strict=True):
        alone = classifier.predict([text])[0].views[INTENT_VIEW]
        assert alone.labels == batched.views[INTENT_VIEW].labels
        assert max(abs(alone.probabilities[k] - v) for k, v in batched.views[INTENT_VIEW].probabilities.items()) < 1e-4


def test_the_intent_head_reads_the_early_layer_the_graph_averages_as_torch_does(trained, with_word_views) -> None:
    """The fifty-first round's intent view: the packaged graph outputs the early layer's token vectors averaged over
    the mask (as torch computes them, within int8 rounding), and the intent head reads them beside the pooled vector
    and the words."""
    run, _, _ = trained
    classifier = EmotionClassifier.from_pretrained(with_word_views)
    texts = ["No", "I want my money back today, this is the third time I have asked!", "thanks for the help"]
    inputs = _padded_batch(with_word_views, texts)
    net = EmotionNet.from_directory(run / "final").eval()
    with torch.no_grad():
        hidden = net.encoder(torch.from_numpy(inputs["input_ids"]), torch.from_numpy(inputs["attention_mask"]),
                             output_hidden_states=True).hidden_states[EARLY_LAYER + 1].numpy()
    mask = inputs["attention_mask"][:, :, None]
    expected = (hidden * mask).sum(axis=1) / mask.sum(axis=1)
    early = classifier.raw_outputs(texts).early_pooled
    cosine = (early * expected).sum(axis=1) / np.linalg.norm(early, axis=1) / np.linalg.norm(expected, axis=1)
    assert EARLY_POOLED_OUTPUT in classifier.outputs and cosine.min() > 0.99, cosine
    width = classifier.group_heads[hidden_layer_of(INTENT_VIEW)][0].shape[1]
    assert width == 2 * expected.shape[1] + classifier.topic_terms.width  # pooled, early, words


def test_the_early_layer_is_added_once_and_a_graph_of_another_shape_is_refused(tmp_path) -> None:
    """``add_early_pooled_output`` leaves a graph that has the output as it is, and refuses (E332) one whose pooled
    vector is not averaged as ``export_onnx`` writes it, instead of a bare unpacking error."""
    from onnx import TensorProto, helper

    from emotrace.errors import EmotraceError
    from emotrace.training.export import add_early_pooled_output

    shipped = shutil.copy(DEFAULT_MODEL_DIR / "model.onnx", tmp_path / "shipped.onnx")
    before = shipped.read_bytes()
    assert add_early_pooled_output(shipped) is False and shipped.read_bytes() == before
    vector = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    pooled = helper.make_tensor_value_info(POOLED_OUTPUT, TensorProto.FLOAT, [1, 4])
    other = tmp_path / "other.onnx"
    onnx.save(helper.make_model(helper.make_graph([helper.make_node("Identity", ["x"], [POOLED_OUTPUT])], "other",
                                                  [vector], [pooled])), str(other))
    with pytest.raises(EmotraceError, match=r"E332.*no encoder layer 1 output"):
        add_early_pooled_output(other)


def test_refitting_the_pooled_heads_keeps_the_views_fitted_apart(with_word_views, tmp_path) -> None:
    """``--recipe heads`` on the shipped model ended in E113: the refit kept the intent view's output layer and
    dropped its hidden layer. Every head fitted apart stays whole, and reads as before."""
    copy = shutil.copytree(with_word_views, tmp_path / "model")
    texts = [text for text, _ in INTENT_TEXTS]
    before = EmotionClassifier.from_pretrained(copy).predict(texts)
    refit_heads(copy, _data(), _data(), None, "emotrace train --recipe heads", "Heads refit.")
    after = EmotionClassifier.from_pretrained(copy).predict(texts)
    for view in (INTENT_VIEW, TOPIC_VIEW):
        assert [r.views[view].probabilities for r in after] == [r.views[view].probabilities for r in before], view


def test_averaging_two_networks_mixes_the_weights_they_share(trained) -> None:
    """The customer recipe's weight average: shared weights mixed 0.7 / 0.3, a head only one network has kept."""
    run, _, _ = trained
    mine, other = EmotionNet.from_directory(run / "final"), EmotionNet.from_directory(run / "final")
    with torch.no_grad():
        for parameter in other.parameters():
            parameter.add_(1.0)
    mine.add_intent_head(len(INTENT_LABELS))
    assert mine.intents is not None
    head = mine.intents.weight.detach().clone()
    mine.average_with(other, 0.7)
    original = EmotionNet.from_directory(run / "final").state_dict()
    mixed = mine.state_dict()
    assert all(torch.allclose(mixed[name], value + 0.3, atol=1e-5) for name, value in original.items())
    assert torch.equal(mine.intents.weight, head)


def test_a_customer_models_heads_are_refit_with_the_corpus_rows(trained) -> None:
    """``--recipe heads`` fits a model that learnt from the written corpus on the corpus's train rows too, as the
    customer recipe's packaging did (a refit without them let the network's corpus lessons drift); others not."""
    _, model_dir, _ = trained
    assert learnt_from_corpus(DEFAULT_MODEL_DIR) and not learnt_from_corpus(model_dir)
    corpus = read_corpus(split="train")[:3]
    recipe = LabelledTexts(["a row"], np.zeros((1, len(GOEMOTIONS_LABELS)), dtype=np.float32), GOEMOTIONS_LABELS)
    rows = with_corpus_rows(recipe, corpus)
    assert rows.texts == ["a row", *(r.text for r in corpus)]
    assert [[GOEMOTIONS_LABELS[i] for i in np.flatnonzero(t)] for t in rows.targets[1:]] == [
        sorted(r.emotions, key=GOEMOTIONS_LABELS.index) for r in corpus]


def test_packaging_that_fails_leaves_the_model_already_there_as_it_was(trained, tmp_path, monkeypatch) -> None:
    """``train --overwrite`` removed the model folder first: a packaging stopped by an error or Ctrl-C left a
    half-written folder (no labels: E028 on the next ``--overwrite``) and no model at all."""
    import emotrace.training.package as package

    run, model_dir, _ = trained
    kept = shutil.copytree(model_dir, tmp_path / "models" / "mine")
    before = {p.relative_to(kept): p.read_bytes() for p in kept.rglob("*") if p.is_file()}

    def stopped(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(package, "tune_directory", stopped)
    with pytest.raises(KeyboardInterrupt):
        package_model(run / "final", kept, LabelSchema(LABELS, {}, None), _data(), None, PROVENANCE, _data().texts)
    assert {p.relative_to(kept): p.read_bytes() for p in kept.rglob("*") if p.is_file()} == before
    assert [p.name for p in kept.parent.iterdir()] == ["mine"]  # nothing staged is left beside it


def test_the_card_of_a_model_of_its_own_labels_states_only_what_it_has(trained, own_labels_model) -> None:
    """Found by a review: a model of its own labels trained from the base encoder, with no affect or satisfaction
    head, had a card claiming both heads, emotions "learnt from English Reddit comments" and GoEmotions' rare
    labels (grief, pride) as its limits."""
    _, model_dir, _ = trained
    card = (model_dir / "MODEL_CARD.md").read_text()
    assert "affect (valence" not in card and "satisfaction (softmax" not in card, card
    assert "Reddit" not in card and "grief" not in card, card
    own = (own_labels_model / "MODEL_CARD.md").read_text()  # trained from the shipped model: it keeps its heads
    assert "affect (valence" in own and "grief" not in own, own
