"""Fitting the heads over the served model's pooled text vectors: the grouped views' (Ekman, sentiment) and the labels'.

The last packaging step of the shipped recipe: with the network frozen, one linear map per grouping
learns the grouped GoEmotions train labels (a text is in a group when any member label is gold), and one the
labels themselves, by binary cross-entropy. The vectors come from the exported int8 runtime itself: heads
fitted on the fp32 network's vectors lost 0.008 Ekman macro-F1 when served on the int8 ones. The label head
refit lifts GoEmotions dev macro-F1 over the head trained with the network (figures in
:mod:`emotrace.model.group_heads`, which also says how the runtime reads the heads).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from tqdm import tqdm

from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.decision import group_matrix, group_targets, tune_thresholds
from emotrace.model.group_heads import LABEL_HEAD, POOLED_OUTPUT, save_group_heads
from emotrace.model.labelled import LabelledTexts
from emotrace.model.topic_terms import TopicTerms, WordFeatures
from emotrace.model.word_heads import Linear

if TYPE_CHECKING:
    import torch

# L2 penalty on the weights, added to the mean BCE: of 1e-3 .. 1e-6, 1e-5 read GoEmotions dev about best out of
# fold (thresholds tuned on one half, scored on the other; 1e-3: labels .464, 1e-4: .494, 1e-5: .508, 1e-6: .501).
# It fits the grouped views as well as AdamW epochs did (Ekman .634 / sentiment .700 out of fold vs .636 / .699).
L2_PENALTY = 1e-5
MAX_ITERATIONS = 500
# Features with fewer non-zeros than this share (the word features beside the pooled vector: ~2%) are multiplied as a
# sparse matrix (the intent head: 10,600 rows × 20,400 features, dense 1.7 GB; dense, its fit had not ended after 12
# minutes on 2 shared cores).
SPARSE_BELOW = 0.1
ENCODE_BATCH = 2048  # texts per runtime call while encoding (progress granularity)
# A head with a hidden layer (the intent head): chosen on the written corpus's dev split with thresholds cross-fitted
# on its halves (docs/benchmarks.md, sixteenth and seventeenth rounds): 64 units, 25 epochs, dropout 0.2, three fits
# averaged; the written corpus's own rows that state no intent weigh twice (training/intents.py).
HIDDEN_UNITS = 64  # per fit
HIDDEN_FITS = 3  # fits from successive seeds, their logits averaged: one hidden layer of their units side by side
HIDDEN_EPOCHS = 25
HIDDEN_DROPOUT = 0.2
HIDDEN_BATCH = 128
HIDDEN_LEARNING_RATE = 1e-3
HIDDEN_WEIGHT_DECAY = 1e-4
# A linear softmax head over the pooled vector and words (the satisfaction view) as an offset from a head over the
# pooled vector, fitted with the same optimiser: chosen on the satisfaction sources' and the written corpus's dev
# splits (docs/benchmarks.md, eighteenth to twentieth rounds). The penalty: the strongest whose dev figures kept the
# gains asked for (1e-3 / 1e-2 / 1e-1: corpus dev dissatisfied vs rest .904 / .893 / .882, shipped .879).
SOFTMAX_PENALTY = 1e-2
SOFTMAX_FITS = 3
SOFTMAX_EPOCHS = 8
SOFTMAX_BATCH = 256


def fit_linear_head(features: np.ndarray, targets: np.ndarray,
                    l2_penalty: float = L2_PENALTY) -> tuple[np.ndarray, np.ndarray]:
    """Weight (outputs, hidden) and bias (outputs,) of a linear multi-label head: L2-penalised BCE minimised by
    full-batch L-BFGS from the base rates (deterministic: the same rows give the same head)."""
    import torch  # here, not at import: `emotrace adapt` reads this module's checks without needing torch

    x = torch.as_tensor(features, dtype=torch.float64)
    if np.count_nonzero(features) < SPARSE_BELOW * features.size:
        x = x.to_sparse()
    y = torch.as_tensor(targets, dtype=torch.float64)
    weight = torch.zeros(y.shape[1], x.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.logit(y.mean(dim=0).clamp(1e-4, 1 - 1e-4)).requires_grad_(True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=MAX_ITERATIONS, history_size=20,
                                  line_search_fn="strong_wolfe", tolerance_grad=1e-9, tolerance_change=1e-12)

    def loss() -> torch.Tensor:
        optimizer.zero_grad()
        logits = (torch.sparse.mm(x, weight.T) if x.is_sparse else x @ weight.T) + bias
        value = (torch.nn.functional.binary_cross_entropy_with_logits(logits, y)
                 + l2_penalty * weight.square().sum())
        value.backward()
        return value

    optimizer.step(loss)
    return (weight.detach().numpy().astype(np.float32), bias.detach().numpy().astype(np.float32))


def _sparse_word_rows(words: WordFeatures) -> csr_matrix:
    return csr_matrix((words.values, (words.rows, words.columns)), shape=(words.count, words.width))


def _fit_minibatches(layers: list[torch.nn.Module], batch_loss: Callable[[np.ndarray], torch.Tensor], rows: int,
                     epochs: int, batch: int, description: str) -> None:
    """AdamW (``HIDDEN_LEARNING_RATE``, ``HIDDEN_WEIGHT_DECAY``) over ``layers`` for ``epochs`` passes over ``rows``
    rows in shuffled minibatches of ``batch``; ``batch_loss`` gives the loss of the rows it is handed."""
    import torch

    parameters = [p for layer in layers for p in layer.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=HIDDEN_LEARNING_RATE, weight_decay=HIDDEN_WEIGHT_DECAY)
    for _ in tqdm(range(epochs), desc=description, unit="epoch"):
        order = torch.randperm(rows).numpy()
        for start in range(0, rows, batch):
            loss = batch_loss(order[start : start + batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def _batch_words(word_rows: csr_matrix, rows: np.ndarray) -> torch.Tensor:
    import torch

    part = word_rows[rows].tocoo()
    return torch.sparse_coo_tensor(np.vstack([part.row, part.col]), part.data, part.shape, dtype=torch.float32)


def fit_hidden_head(pooled: np.ndarray, words: WordFeatures, targets: np.ndarray, seed: int,
                    row_weights: np.ndarray | None = None) -> tuple[Linear, Linear]:
    """A multi-label head with one hidden layer (tanh-GELU) over ``pooled`` vectors and their word features: the
    hidden layer (units, pooled width + word width) and the output layer (outputs, units). ``HIDDEN_FITS`` fits
    (AdamW on BCE, each row's loss times its ``row_weights``, dropout), from ``seed`` on, averaged in logit space,
    which one layer of all their units computes."""
    import torch

    word_rows = _sparse_word_rows(words)
    x_pooled = torch.as_tensor(pooled, dtype=torch.float32)
    y = torch.as_tensor(targets, dtype=torch.float32)
    weights = torch.ones(len(y)) if row_weights is None else torch.as_tensor(row_weights, dtype=torch.float32)
    hidden_parts: list[tuple[np.ndarray, np.ndarray]] = []
    output_parts: list[tuple[np.ndarray, np.ndarray]] = []
    for fit in range(HIDDEN_FITS):
        torch.manual_seed(seed + fit)
        over_pooled = torch.nn.Linear(pooled.shape[1], HIDDEN_UNITS)
        over_words = torch.nn.Linear(words.width, HIDDEN_UNITS, bias=False)
        output = torch.nn.Linear(HIDDEN_UNITS, targets.shape[1])

        def batch_loss(rows: np.ndarray, layers: tuple[torch.nn.Linear, ...] = (over_pooled, over_words, output)
                       ) -> torch.Tensor:
            hidden = torch.nn.functional.gelu(
                layers[0](x_pooled[rows]) + torch.sparse.mm(_batch_words(word_rows, rows), layers[1].weight.T),
                approximate="tanh")
            logits = layers[2](torch.nn.functional.dropout(hidden, HIDDEN_DROPOUT))
            return torch.nn.functional.binary_cross_entropy_with_logits(logits, y[rows], weight=weights[rows][:, None])

        _fit_minibatches([over_pooled, over_words, output], batch_loss, len(y), HIDDEN_EPOCHS, HIDDEN_BATCH,
                         f"hidden head: fit {fit + 1} of {HIDDEN_FITS}")
        with torch.no_grad():
            hidden_parts.append((torch.cat([over_pooled.weight, over_words.weight], dim=1).numpy(),
                                 over_pooled.bias.numpy()))
            output_parts.append((output.weight.numpy() / HIDDEN_FITS, output.bias.numpy() / HIDDEN_FITS))
    return ((np.concatenate([w for w, _ in hidden_parts]).astype(np.float32),
             np.concatenate([b for _, b in hidden_parts]).astype(np.float32)),
            (np.concatenate([w for w, _ in output_parts], axis=1).astype(np.float32),
             np.sum([b for _, b in output_parts], axis=0).astype(np.float32)))


def fit_two_hidden_heads(pooled: np.ndarray, early: np.ndarray, words: WordFeatures, targets: np.ndarray, seed: int,
                         row_weights: np.ndarray, early_weight: float) -> tuple[Linear, Linear]:
    """:func:`fit_hidden_head` over ``pooled`` vectors and their words, and again over the ``early`` layer's vectors
    and the same words, their logits blended (``early_weight`` for the second): one head whose hidden layer holds both
    fits' units side by side, the first's reading the pooled vector, the second's the early one (zeros across),
    over the inputs ``[pooled, early, words]``."""
    (first, first_bias), (first_out, first_out_bias) = fit_hidden_head(pooled, words, targets, seed, row_weights)
    (second, second_bias), (second_out, second_out_bias) = fit_hidden_head(early, words, targets, seed, row_weights)
    width, early_width = pooled.shape[1], early.shape[1]
    hidden = np.vstack([
        np.hstack([first[:, :width], np.zeros((len(first), early_width), np.float32), first[:, width:]]),
        np.hstack([np.zeros((len(second), width), np.float32), second[:, :early_width], second[:, early_width:]])])
    output = np.hstack([(1 - early_weight) * first_out, early_weight * second_out])
    return ((hidden, np.concatenate([first_bias, second_bias])),
            (output.astype(np.float32),
             ((1 - early_weight) * first_out_bias + early_weight * second_out_bias).astype(np.float32)))


def fit_softmax_word_offset(pooled: np.ndarray, words: WordFeatures, classes: np.ndarray, start: Linear, seed: int,
                            row_weights: np.ndarray) -> Linear:
    """A linear softmax head over ``pooled`` vectors and their word features (weight (classes, pooled width + word
    width), bias) that starts from ``start``, a head over the pooled vector alone, and moves from it only as far as
    the rows pay for: the offset (pooled weights, bias, word weights; from zero) is fitted by AdamW on cross-entropy
    (each row's loss times its ``row_weights``) plus ``SOFTMAX_PENALTY`` times its squared weights. ``SOFTMAX_FITS``
    fits from ``seed`` on, averaged (for a linear map, the same as averaging their logits)."""
    import torch

    word_rows = _sparse_word_rows(words)
    x_pooled = torch.as_tensor(pooled, dtype=torch.float32)
    y = torch.as_tensor(classes, dtype=torch.long)
    weights = torch.as_tensor(row_weights, dtype=torch.float32)
    base = x_pooled @ torch.as_tensor(start[0]).T + torch.as_tensor(start[1])
    count = len(start[1])
    offset_sum, bias_sum = np.zeros((count, pooled.shape[1] + words.width)), np.zeros(count)
    for fit in range(SOFTMAX_FITS):
        torch.manual_seed(seed + fit)
        over_pooled = torch.nn.Linear(pooled.shape[1], count)
        over_words = torch.nn.Linear(words.width, count, bias=False)
        with torch.no_grad():
            for parameter in (over_pooled.weight, over_pooled.bias, over_words.weight):
                parameter.zero_()

        def batch_loss(rows: np.ndarray, layers: tuple[torch.nn.Linear, ...] = (over_pooled, over_words)
                       ) -> torch.Tensor:
            logits = base[rows] + layers[0](x_pooled[rows]) + torch.sparse.mm(_batch_words(word_rows, rows),
                                                                              layers[1].weight.T)
            loss = (torch.nn.functional.cross_entropy(logits, y[rows], reduction="none") * weights[rows]).mean()
            return loss + SOFTMAX_PENALTY * (layers[0].weight.square().sum() + layers[1].weight.square().sum())

        _fit_minibatches([over_pooled, over_words], batch_loss, len(y), SOFTMAX_EPOCHS, SOFTMAX_BATCH,
                         f"softmax head: fit {fit + 1} of {SOFTMAX_FITS}")
        with torch.no_grad():
            offset_sum += torch.cat([over_pooled.weight, over_words.weight], dim=1).numpy()
            bias_sum += over_pooled.bias.numpy()
    weight = offset_sum / SOFTMAX_FITS
    weight[:, : pooled.shape[1]] += start[0]
    return weight.astype(np.float32), (bias_sum / SOFTMAX_FITS + start[1]).astype(np.float32)


def require_pooled_output(classifier: EmotionClassifier) -> None:
    """E317 unless the classifier's graph outputs the pooled vector the heads read."""
    if POOLED_OUTPUT not in classifier.outputs:
        raise EmotraceError("E317", f"{classifier.directory / 'model.onnx'} does not output the pooled text vector, "
                                    "so no head can be fitted over it.",
                            "Re-export the model with this version (`emotrace train` packages it so).")


def text_vectors(classifier: EmotionClassifier, texts: list[str], what: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The classifier's pooled vectors of ``texts`` and its early layer's (None where the graph outputs none);
    progress shown as ``what``."""
    require_pooled_output(classifier)
    pooled: list[np.ndarray] = []
    early: list[np.ndarray | None] = []
    for start in tqdm(range(0, len(texts), ENCODE_BATCH), desc=f"pooled heads: encoding {what}", unit="batch"):
        raw = classifier.raw_outputs(texts[start : start + ENCODE_BATCH])
        assert raw.pooled is not None  # the graph outputs it (checked above)
        pooled.append(raw.pooled)
        early.append(raw.early_pooled)
    found = [e for e in early if e is not None]
    return np.concatenate(pooled), np.concatenate(found) if len(found) == len(early) else None


def pooled_vectors(classifier: EmotionClassifier, texts: list[str], what: str) -> np.ndarray:
    """The classifier's pooled vectors of ``texts`` (progress shown as ``what``)."""
    return text_vectors(classifier, texts, what)[0]


def head_inputs(classifier: EmotionClassifier, terms: TopicTerms | None, texts: list[str], what: str) -> np.ndarray:
    """What a head over word features reads of ``texts``: the classifier's pooled vectors and, with ``terms``, the
    texts' scaled word features beside them."""
    pooled = pooled_vectors(classifier, texts, what)
    if terms is None:
        return pooled
    return np.hstack([pooled, terms.features([classifier.normalizer(t) for t in texts])])


def add_pooled_heads(classifier: EmotionClassifier, train: LabelledTexts, refit_labels: bool = False) -> None:
    """Fit one head per grouping of the classifier's labels (with ``refit_labels``, one for the labels) on its pooled
    vectors of ``train``; save them into its model directory (a newly loaded classifier reads from them). The heads
    fitted apart (intents, topics, an adapted satisfaction head) stay as they are."""
    schema = classifier.schema
    features = pooled_vectors(classifier, train.texts, "labelled rows")
    targets = {grouping: group_targets(train.targets, group_matrix(schema, grouping)) for grouping in schema.groupings}
    if refit_labels:
        targets[LABEL_HEAD] = train.targets
    heads = {name: fit_linear_head(features, rows) for name, rows in tqdm(targets.items(), desc="pooled heads: fitting")}
    kept = {name: head for name, head in classifier.group_heads.items() if name not in targets}  # hidden layers too
    save_group_heads({**kept, **heads}, classifier.directory)


def tune_view_thresholds(directory: Path, view: str, names: tuple[str, ...], dev: LabelledTexts) -> np.ndarray:
    """Tune the thresholds of a view just fitted into ``directory`` (intents, topics: none need fire) on ``dev`` and
    write them; returns the view's dev probabilities."""
    fitted = EmotionClassifier.from_pretrained(directory)
    probabilities = getattr(fitted.raw_outputs(dev.texts), view)
    assert probabilities is not None  # the head was just written
    thresholds = fitted.thresholds
    thresholds.groupings[view] = dict(zip(names, tune_thresholds(probabilities, dev.targets).tolist(), strict=True))
    thresholds.save(directory)
    return np.asarray(probabilities)
