"""The classifier runtime: ONNX Runtime (int8) over a model directory, one reading per text.

    clf = EmotionClassifier.from_pretrained()          # the shipped model; or a directory path
    readings = clf.predict(["Thanks a lot, this fixed it!", "😡"])

Texts are normalized (emoji -> words), tokenized, sorted by length and run in batches padded only to
their longest text. Texts longer than the window are split on sentences and read chunk by chunk; the
chunk readings are combined (see :func:`combine_chunks`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from emotrace.errors import EmotraceError
from emotrace.model.aspects import Aspect, ClauseReadings, message_aspects
from emotrace.model.config import CONFIG_FILE
from emotrace.model.decision import Thresholds, decide, group_matrix, group_probabilities
from emotrace.model.group_heads import (
    EARLY_POOLED_OUTPUT,
    LABEL_HEAD,
    POOLED_OUTPUT,
    SATISFACTION_HEAD,
    hidden_layer_of,
    load_group_heads,
)
from emotrace.model.labels import CHURN_THREAT, INTENT_VIEW, SATISFACTION_CLASSES, TOPIC_VIEW, LabelSchema
from emotrace.model.reading import GroupedView, Reading
from emotrace.model.tokens import WordPieces
from emotrace.model.topic_terms import TopicTerms
from emotrace.model.word_heads import WordHead, word_heads
from emotrace.paths import DEFAULT_MODEL_DIR, HUB_PREFIX
from emotrace.text.clauses import split_clauses
from emotrace.text.language import detect_languages, language_warning
from emotrace.text.normalize import normalize_text
from emotrace.text.segment import chunk_text, plain_sentences
from emotrace.text.visible import character_problem, is_blank

ONNX_FILE = "model.onnx"
# ONNX Runtime's (1.32) fused SkipLayerNormalization kernel took 11% of the int8 network's time on the dev texts; the
# Add + LayerNormalization it would replace take 3%, so the runtime keeps them apart.
DISABLED_GRAPH_FUSIONS = ["SkipLayerNormFusion"]


# A text of several sentences whose whole reading gives churn at least this (and under its threshold) is read per
# sentence for churn too. Chosen on dev with cross-fitted thresholds (docs/benchmarks.md, fifty-fourth round): 0 / .001 /
# .005 / .02 / .05 read 84 / 10.7 / 6.4 / 3.6 / 2.1 % of texts again; churn P-R .86-.85 / .87-.85 / .87-.85 / .88-.83 /
# .88-.81 (whole texts alone: .89-.79); no-intent rows given one 41 / 37 / 37 / 35 / 32 (32).
CHURN_SENTENCE_GATE = 0.001


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Label probabilities from emotion logits."""
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def softmax(x: np.ndarray) -> np.ndarray:
    """Class probabilities from logits (rows)."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


@dataclass
class RawOutputs:
    """Per-text model outputs before decisions: probabilities and the optional heads."""

    probabilities: np.ndarray  # (n, labels)
    groups: dict[str, np.ndarray]  # grouping -> (n, groups): from the group heads, else from the labels
    affect: np.ndarray | None  # (n, 2): valence, arousal
    satisfaction: np.ndarray | None  # (n, 3)
    chunks: np.ndarray  # (n,) number of chunks each text was read in
    pooled: np.ndarray | None = None  # (n, hidden): the text vector the heads read, when the model outputs it
    intents: np.ndarray | None = None  # (n, intents): from the intent head, when the model has one
    topics: np.ndarray | None = None  # (n, topics): from the topic head, when the model has one
    early_pooled: np.ndarray | None = None  # (n, hidden): an early layer's text vector, when the model outputs it


def combine_chunks(probabilities: np.ndarray, neutral_index: int | None) -> np.ndarray:
    """Combine chunk probabilities of one text: an emotion is present if any chunk shows it (max),
    the text is neutral only as far as every chunk is (min)."""
    combined = probabilities.max(axis=0)
    if neutral_index is not None:
        combined[neutral_index] = probabilities[:, neutral_index].min()
    return np.asarray(combined)


def text_name(index: int, count: int) -> str:
    """How an error names text ``index`` of ``count``: "The text" alone, else its place, counted from 0 as a list's."""
    return "The text" if count == 1 else f"Text {index} (counting from 0)"


def validate_texts(texts: object) -> list[str]:
    """Check that ``texts`` is a list of non-empty strings; raise a clear error otherwise."""
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise EmotraceError("E001", "predict() takes a list of texts.", "Wrap a single text: [text].")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise EmotraceError("E002", f"{text_name(i, len(texts))} is of type {type(text).__name__}, not a string.",
                                "Pass text only.")
        if is_blank(text):  # as the API's fields: a zero-width space alone is nothing to read
            raise EmotraceError("E003", f"{text_name(i, len(texts))} is empty or only whitespace / invisible "
                                "characters.", "Remove it or add text.")
        if (problem := character_problem(text)) is not None:  # the tokenizer would fail on it (a TypeError)
            raise EmotraceError("E004", f"{text_name(i, len(texts))} {problem}.",
                                "Pass UTF-8 text (a byte of another encoding in a command-line argument arrives "
                                "as a lone surrogate: pass the text in a file with --encoding).")
    return list(texts)


class EmotionClassifier:
    """Reads emotions, grouped views, valence/arousal and satisfaction from text."""

    def __init__(self, directory: Path, session: ort.InferenceSession,
                 tokenizer: WordPieces, schema: LabelSchema, thresholds: Thresholds,
                 max_length: int = 128, batch_size: int = 64,
                 normalizer: Callable[[str], str] = normalize_text,
                 group_heads: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
                 topic_terms: TopicTerms | None = None) -> None:
        self.directory = directory
        self.normalizer = normalizer
        self.session = session
        self.tokenizer = tokenizer
        self.schema = schema
        self.thresholds = thresholds
        self.max_length = max_length
        self.batch_size = batch_size
        self.outputs = [o.name for o in session.get_outputs()]
        self._label_thresholds = thresholds.for_labels(schema.labels)
        self._groupings = {
            g: (group_matrix(schema, g), schema.group_names(g)) for g in schema.groupings
        }
        self._neutral = schema.labels.index(schema.neutral_label) if schema.neutral_label else None
        self._group_neutral = {g: names.index(schema.neutral_label) if schema.neutral_label in names else None
                               for g, (_, names) in self._groupings.items()}
        self.group_heads = group_heads or {}
        self._heads = self.group_heads if POOLED_OUTPUT in self.outputs else {}
        self.topic_terms = topic_terms
        widths = {o.name: o.shape[-1] for o in session.get_outputs()}
        self._word_heads = word_heads(self._heads, topic_terms, widths.get(POOLED_OUTPUT),
                                      widths.get(EARLY_POOLED_OUTPUT, 0))

    @classmethod
    def from_pretrained(cls, model: str | Path | None = None, threads: int | None = None,
                        batch_size: int = 64, spin_wait: bool = True) -> EmotionClassifier:
        """Load a model directory (default: the shipped model); ``hf://org/name`` downloads from the hub.

        ``spin_wait=False`` suits a server, whose event loop needs the cores between model calls."""
        directory = resolve_model_dir(model)
        schema = LabelSchema.load(directory)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 8)
        options.inter_op_num_threads = 1
        if not spin_wait:  # idle ORT threads yield the core at once instead of spinning for the next call
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"],
                                           disabled_optimizers=DISABLED_GRAPH_FUSIONS)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EmotraceError(
                "E109", f"{directory / ONNX_FILE} could not be loaded ({exc}).",
                "Re-export the model with `emotrace train` or restore the file.",
            ) from exc
        width = session.get_outputs()[0].shape[-1]
        if isinstance(width, int) and width != len(schema.labels):
            raise EmotraceError(
                "E108", f"{CONFIG_FILE} lists {len(schema.labels)} labels but the model outputs {width}.",
                f"{CONFIG_FILE} belongs to another model: restore the one saved with this model.",
            )
        return cls(directory, session, WordPieces(directory), schema, Thresholds.load(directory, schema),
                   batch_size=batch_size, group_heads=load_group_heads(directory, schema),
                   topic_terms=TopicTerms.load(directory))

    def with_thresholds(self, thresholds: Thresholds) -> EmotionClassifier:
        """The same model (shared session) deciding with other thresholds."""
        return EmotionClassifier(self.directory, self.session, self.tokenizer, self.schema, thresholds,
                                 self.max_length, self.batch_size, self.normalizer, self.group_heads, self.topic_terms)

    def without_head(self, name: str) -> EmotionClassifier:
        """The same model (shared session) without its group head ``name``: the graph's own reading where it has
        one (the network's satisfaction logits, for example, which a satisfaction head of the directory replaces)."""
        heads = {head: layer for head, layer in self.group_heads.items() if head != name}
        return EmotionClassifier(self.directory, self.session, self.tokenizer, self.schema, self.thresholds,
                                 self.max_length, self.batch_size, self.normalizer, heads, self.topic_terms)

    def with_normalizer(self, normalizer: Callable[[str], str]) -> EmotionClassifier:
        """The same model reading text prepared by another normalizer (for ablations)."""
        return EmotionClassifier(self.directory, self.session, self.tokenizer, self.schema, self.thresholds,
                                 self.max_length, self.batch_size, normalizer, self.group_heads, self.topic_terms)

    def _count_tokens(self, text: str) -> int:
        return len(self.tokenizer.ids(text))

    def _feeds(self, token_ids: list[list[int]], order: np.ndarray) -> Iterator[dict[str, np.ndarray]]:
        """Padded network inputs for ``token_ids`` taken in ``order``, ``batch_size`` rows at a time."""
        for start in range(0, len(order), self.batch_size):
            batch = [token_ids[i] for i in order[start : start + self.batch_size]]
            width = max(len(t) for t in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, tokens in enumerate(batch):
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            yield {"input_ids": ids, "attention_mask": mask}

    def network_inputs(self, texts: Sequence[str]) -> Iterator[dict[str, np.ndarray]]:
        """The padded batches the network reads for ``texts`` (normalized and chunked as in :meth:`raw_outputs`);
        for calibrating the runtime graph."""
        token_ids, _, _ = self._token_ids([self.normalizer(t) for t in validate_texts(texts)])
        return self._feeds(token_ids, np.argsort([len(t) for t in token_ids], kind="stable"))

    def _run(self, token_ids: list[list[int]]) -> dict[str, np.ndarray]:
        """Run the network over token id lists, in length-sorted batches; outputs in input order."""
        order = np.argsort([len(t) for t in token_ids], kind="stable")
        results: dict[str, list[np.ndarray]] = {name: [] for name in self.outputs}
        for feed in self._feeds(token_ids, order):
            for name, value in zip(self.outputs, self.session.run(None, feed), strict=True):
                results[name].append(value)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        return {name: np.concatenate(parts)[inverse] for name, parts in results.items()}

    def raw_outputs(self, texts: Sequence[str], max_chunks: int | None = None) -> RawOutputs:
        """Model outputs for ``texts`` (validated, normalized, chunked) before any decision."""
        texts = validate_texts(texts)
        if not texts:
            empty = np.zeros((0, len(self.schema.labels)), dtype=np.float32)
            groups = {g: np.zeros((0, len(names)), dtype=np.float32) for g, (_, names) in self._groupings.items()}
            return RawOutputs(empty, groups, None, None, np.zeros(0, dtype=np.int64))
        normalized = [self.normalizer(t) for t in texts]
        token_ids, owners, pieces = self._token_ids(normalized, max_chunks)
        out = self._run(token_ids)
        raw = self._combine(out, np.asarray(owners), token_ids, len(texts))
        if raw.pooled is not None:
            for view, probabilities in self.word_views(normalized, raw.pooled, raw.early_pooled).items():
                setattr(raw, view, probabilities)
            if raw.intents is not None and INTENT_VIEW in self._word_heads and (raw.chunks > 1).any():
                raw.intents = self._intents_of_any_chunk(raw.intents, pieces, out, np.asarray(owners))
            if raw.intents is not None and INTENT_VIEW in self._word_heads:
                self._churn_of_sentences(texts, raw.intents)
        return raw

    def _churn_of_sentences(self, texts: Sequence[str], intents: np.ndarray) -> None:
        """Raise, in place, the churn threat of texts of several sentences whose whole reading puts it at least
        ``CHURN_SENTENCE_GATE`` and under its threshold to the strongest of their sentences' read alone: a complaint
        told first switched off the way of leaving said after it ("... driver rude. Never ordering from you again.").
        Churn only, and only near its threshold: read alone, a sentence loses what the rest says, and every other
        intent lost precision so (docs/benchmarks.md, fifty-fourth round)."""
        if CHURN_THREAT not in self.schema.intents:
            return
        column = self.schema.intents.index(CHURN_THREAT)
        threshold = self.thresholds.for_grouping(INTENT_VIEW, [CHURN_THREAT])[0]  # as the decision reads it
        owners: list[int] = []
        sentences: list[str] = []
        near = (intents[:, column] >= CHURN_SENTENCE_GATE) & (intents[:, column] < threshold)
        for i in np.flatnonzero(near).tolist():
            if len(found := plain_sentences(texts[i])) > 1:
                owners += [i] * len(found)
                sentences += found
        if not sentences:
            return
        read = self.raw_outputs(sentences).intents  # one sentence each: none is split again
        assert read is not None  # the same intent view
        np.maximum.at(intents, (owners, column), read[:, column])

    def _intents_of_any_chunk(self, whole: np.ndarray, pieces: list[str], out: dict[str, np.ndarray],
                              owners: np.ndarray) -> np.ndarray:
        """Intent probabilities of texts read in several chunks (``out``: the network's outputs per chunk): the
        strongest of each text's whole reading and of its chunks' own (an intent anywhere counts; read over the
        averaged vector and every word of a long text, a refund demand after a few sentences of detail was lost)."""
        several = [i for i in range(len(whole)) if (owners == i).sum() > 1]
        rows = np.flatnonzero(np.isin(owners, several))
        early = out.get(EARLY_POOLED_OUTPUT)
        per_chunk = self.word_views([pieces[r] for r in rows], out[POOLED_OUTPUT][rows],
                                    None if early is None else early[rows], [INTENT_VIEW])[INTENT_VIEW]
        combined = whole.copy()
        for i in several:
            combined[i] = np.maximum(whole[i], per_chunk[owners[rows] == i].max(axis=0))
        return combined

    def word_views(self, normalized: list[str], pooled: np.ndarray, early_pooled: np.ndarray | None,
                   views: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """The probabilities of each view whose head reads word features (:func:`word_heads`; of ``views`` alone when
        given), of texts already normalized with their pooled vectors and the early layer's (``RawOutputs``'s; None
        where the model outputs none: the intent head may read them too); the word features are computed once for
        all of them, and read sparse (a dense product over their ~20,000 columns took a fifth of a batch's time)."""
        terms = self.topic_terms
        if not self._word_heads or terms is None:
            return {}
        words = terms.sparse_features(normalized)
        return {view: (softmax if view == SATISFACTION_HEAD else sigmoid)(
                    head.logits(head.vectors(pooled, early_pooled), words))
                for view, head in self._word_heads.items() if views is None or view in views}

    def head_inputs(self, normalized: list[str], pooled: np.ndarray, early_pooled: np.ndarray | None,
                    view: str | None = None) -> np.ndarray:
        """What the output layer of a head reads of texts already normalized: their pooled vectors (then the early
        layer's, ``RawOutputs``'s, where the head reads them), then their word features — unless ``view`` names a head
        over the pooled vector alone, or one with a hidden layer (then its hidden activations)."""
        head: WordHead | None = self._word_heads.get(view) if view is not None else None
        if self.topic_terms is None or (view is not None and head is None):
            return pooled
        if head is not None:
            pooled = head.vectors(pooled, early_pooled)
            if head.hidden is not None:
                return head.hidden_activations(pooled, self.topic_terms.sparse_features(normalized))
        return np.hstack([pooled, self.topic_terms.features(normalized)])

    def _token_ids(self, normalized: list[str], max_chunks: int | None = None
                   ) -> tuple[list[list[int]], list[int], list[str]]:
        """Chunked token ids with [CLS]/[SEP] of texts already normalized, the index of the text each chunk belongs
        to, and each chunk's text."""
        window = self.max_length - 2
        encoded = self.tokenizer.ids_of(normalized)
        owners: list[int] = []
        token_ids: list[list[int]] = []
        texts: list[str] = []
        for i, (text, ids) in enumerate(zip(normalized, encoded, strict=True)):
            if max_chunks is not None and len(ids) > max_chunks * window:
                raise EmotraceError(
                    "E010", f"{text_name(i, len(normalized))} is too long to read: {len(ids):,} tokens (emoji spelled "
                    f"out), over the limit of {max_chunks} chunks of {window} tokens.", "Split it into several messages.")
            chunks = [text] if len(ids) <= window else chunk_text(text, self._count_tokens, window)
            if max_chunks is not None and len(chunks) > max_chunks:  # cut at sentence ends: more windows than tokens
                raise EmotraceError(
                    "E010", f"{text_name(i, len(normalized))} is too long to read: {len(chunks)} windows (its sentences "
                    f"do not pack into fewer), over the limit of {max_chunks}.", "Split it into several messages.")
            pieces = [ids] if len(ids) <= window else [self._encode_chunk(c) for c in chunks]
            for chunk, piece in zip(chunks, pieces, strict=True):
                token_ids.append([self.tokenizer.cls_token_id, *piece, self.tokenizer.sep_token_id])
                owners.append(i)
                texts.append(chunk)
        return token_ids, owners, texts

    def _encode_chunk(self, chunk: str) -> list[int]:
        return self.tokenizer.ids(chunk)[: self.max_length - 2]

    def _combine(self, out: dict[str, np.ndarray], owners: np.ndarray, token_ids: list[list[int]],
                 n: int) -> RawOutputs:
        probs = sigmoid(self._label_logits(out))
        groups = self._group_probabilities(out, probs)
        lengths = np.array([len(t) for t in token_ids], dtype=np.float32)
        affect = out.get("affect")
        sat = self._satisfaction_probabilities(out)
        intents = self._intent_probabilities(out)
        chunks = np.bincount(owners, minlength=n)
        if (chunks == 1).all():
            return RawOutputs(probs, groups, affect, sat, chunks, out.get(POOLED_OUTPUT), intents,
                              early_pooled=out.get(EARLY_POOLED_OUTPUT))

        def per_text(values: np.ndarray, neutral: int | None) -> np.ndarray:
            return np.stack([combine_chunks(values[owners == i], neutral) for i in range(n)])

        def weighted(values: np.ndarray | None) -> np.ndarray | None:
            if values is None:
                return None
            return np.stack([np.average(values[owners == i], axis=0, weights=lengths[owners == i])
                             for i in range(n)])

        return RawOutputs(per_text(probs, self._neutral),
                          {g: per_text(p, self._group_neutral[g]) for g, p in groups.items()},
                          weighted(affect), weighted(sat), chunks, weighted(out.get(POOLED_OUTPUT)),
                          None if intents is None else per_text(intents, None),  # an intent anywhere counts
                          early_pooled=weighted(out.get(EARLY_POOLED_OUTPUT)))

    def _label_logits(self, out: dict[str, np.ndarray]) -> np.ndarray:
        """Each chunk's label logits: from the label head refit over the pooled vector where the model has one,
        else the graph's own."""
        if LABEL_HEAD not in self._heads:
            return out["emotion_logits"]
        weight, bias = self._heads[LABEL_HEAD]
        return np.asarray(out[POOLED_OUTPUT] @ weight.T + bias)

    def _satisfaction_probabilities(self, out: dict[str, np.ndarray]) -> np.ndarray | None:
        """Each chunk's satisfaction probabilities: from the satisfaction head over the pooled vector where the model
        has one (adapted to a user's rows; calibrated in its weights), else the graph's own logits at the
        directory's temperature (None when the model has neither). A satisfaction head that reads word features too
        replaces these per text (:meth:`word_views`)."""
        head = self._heads.get(SATISFACTION_HEAD)
        if head is not None and head[0].shape[1] == out[POOLED_OUTPUT].shape[1]:
            return softmax(out[POOLED_OUTPUT] @ head[0].T + head[1])
        logits = out.get("satisfaction_logits")
        return None if logits is None else softmax(logits / self.thresholds.satisfaction_temperature)

    def _intent_probabilities(self, out: dict[str, np.ndarray]) -> np.ndarray | None:
        """Each chunk's intent probabilities from an intent head over the pooled vector alone (None when the model
        has none, or its intent head reads word features too: then it reads each text whole, as the topic head
        does, and not at all without the directory's word vocabulary)."""
        if INTENT_VIEW not in self._heads or hidden_layer_of(INTENT_VIEW) in self._heads:
            return None  # none, or one with a hidden layer: it reads words too (its output layer alone means nothing)
        weight, bias = self._heads[INTENT_VIEW]
        if weight.shape[1] != out[POOLED_OUTPUT].shape[1]:
            return None
        return sigmoid(out[POOLED_OUTPUT] @ weight.T + bias)

    def _group_probabilities(self, out: dict[str, np.ndarray], probabilities: np.ndarray) -> dict[str, np.ndarray]:
        """Per grouping, the group probabilities of each chunk: from its head over the pooled vector, else each
        group's most probable member label. Chunks then combine like labels (the neutral group holds only the
        neutral label, so either way a text's groups follow from its chunks' as its labels do)."""
        groups = {}
        for grouping, (matrix, _) in self._groupings.items():
            if grouping in self._heads:
                weight, bias = self._heads[grouping]
                groups[grouping] = sigmoid(out[POOLED_OUTPUT] @ weight.T + bias)
            else:
                groups[grouping] = group_probabilities(probabilities, matrix)
        return groups

    def predict(self, texts: Sequence[str], max_chunks: int | None = None, aspects: bool = False) -> list[Reading]:
        """One :class:`Reading` per text, in order; ``max_chunks`` refuses (E010) a text longer than that many
        model windows (a bound on the work one text can cause); ``aspects=True`` adds each topic's own
        satisfaction (it reads the clauses of texts that have several too: about twice the time on such texts; the
        service, batch runs and the CLI ask for it unless ``EMOTRACE_ASPECTS=false``)."""
        texts = validate_texts(texts)
        raw = self.raw_outputs(texts, max_chunks)
        # Python lists, not numpy scalars, from here on: building a reading is per-text Python work.
        fired = decide(raw.probabilities, self._label_thresholds).tolist()
        probabilities = raw.probabilities.tolist()
        views_per_grouping = {}
        for grouping, (_, names) in self._groupings.items():
            group_probs = raw.groups[grouping]
            group_fired = decide(group_probs, self.thresholds.for_grouping(grouping, names))
            views_per_grouping[grouping] = (names, group_probs.tolist(), group_fired.tolist())
        if raw.intents is not None:  # unlike a grouping, no intent need fire: most messages state none
            names = list(self.schema.intents)
            intent_fired = raw.intents >= self.thresholds.for_grouping(INTENT_VIEW, names)
            views_per_grouping[INTENT_VIEW] = (names, raw.intents.tolist(), intent_fired.tolist())
        if raw.topics is not None:  # none may fire: a message about none of the taxonomy's topics
            names = list(self.schema.topics)
            topic_fired = raw.topics >= self.thresholds.for_grouping(TOPIC_VIEW, names)
            views_per_grouping[TOPIC_VIEW] = (names, raw.topics.tolist(), topic_fired.tolist())
        affect = raw.affect.tolist() if raw.affect is not None else None
        satisfaction = raw.satisfaction.tolist() if raw.satisfaction is not None else None
        labels = self.schema.labels
        found = self._aspects(texts, raw, views_per_grouping.get(TOPIC_VIEW)) if aspects else None
        language = detect_languages(texts)
        readings = []
        for i, text in enumerate(texts):
            views = {
                g: GroupedView(dict(zip(names, gp[i], strict=True)),
                               [n for n, f in zip(names, gf[i], strict=True) if f])
                for g, (names, gp, gf) in views_per_grouping.items()
            }
            sat = satisfaction[i] if satisfaction is not None else None
            readings.append(Reading(
                text=text,
                probabilities=dict(zip(labels, probabilities[i], strict=True)),
                labels=[n for n, f in zip(labels, fired[i], strict=True) if f],
                views=views,
                valence=affect[i][0] if affect is not None else None,
                arousal=affect[i][1] if affect is not None else None,
                satisfaction=dict(zip(SATISFACTION_CLASSES, sat, strict=True)) if sat is not None else None,
                satisfaction_score=sat[2] - sat[0] if sat is not None else None,
                chunks=int(raw.chunks[i]),
                language=language[i].code,
                warnings=tuple(filter(None, [language_warning(language[i])])),
                aspects=tuple(found[i]) if found else (),
            ))
        return readings

    def _aspects(self, texts: list[str], raw: RawOutputs,
                 topic_view: tuple[list[str], list[list[float]], list[list[bool]]] | None) -> list[list[Aspect]] | None:
        """Each text's aspects (:mod:`emotrace.model.aspects`): the clauses of texts that have several are read
        together in one more batch (None without a topic view or a satisfaction head)."""
        if topic_view is None or raw.topics is None or raw.satisfaction is None:
            return None
        names, _, fired = topic_view
        clauses = [split_clauses(text) for text in texts]
        pieces = [clause for parts in clauses if len(parts) > 1 for clause in parts]
        read = self.raw_outputs(pieces) if pieces else None
        thresholds = self.thresholds.for_grouping(TOPIC_VIEW, names)
        found, start = [], 0
        for i, parts in enumerate(clauses):
            if len(parts) > 1 and read is not None and read.topics is not None and read.satisfaction is not None:
                rows = slice(start, start + len(parts))
                start += len(parts)
                topics, satisfaction = read.topics[rows], read.satisfaction[rows]
            else:
                parts, topics, satisfaction = [texts[i]], raw.topics[i : i + 1], raw.satisfaction[i : i + 1]
            message_topics = [name for name, on in zip(names, fired[i], strict=True) if on]
            found.append(message_aspects(names, message_topics,
                                         ClauseReadings(parts, topics, topics >= thresholds, satisfaction)))
        return found


def resolve_model_dir(model: str | Path | None) -> Path:
    """A local model directory for ``model``: a path, the default, or ``hf://org/name`` (needs a network)."""
    if model is None:
        directory = DEFAULT_MODEL_DIR
    elif str(model).startswith(HUB_PREFIX):
        directory = _download_from_hub(str(model)[len(HUB_PREFIX) :])
    else:
        directory = Path(model).expanduser()
    if directory.is_file():
        raise EmotraceError("E111", f"{directory} is a file, not a model directory.",
                            f"Give the folder that holds {ONNX_FILE} (e.g. {DEFAULT_MODEL_DIR}).")
    if not directory.is_dir():
        raise EmotraceError(
            "E110", f"Model directory {directory} does not exist.",
            f"Give a model directory: EmotionClassifier.from_pretrained(DIR) in Python, --model DIR on the command "
            f"line (the shipped one is {DEFAULT_MODEL_DIR}).",
        )
    missing = [f for f in (ONNX_FILE, "tokenizer.json") if not (directory / f).exists()]
    if missing:
        raise EmotraceError(
            "E111", f"{directory} is not a model directory: {', '.join(missing)} missing.",
            "Point to a directory written by `emotrace train` (e.g. models/emotrace-minilm-v1).",
        )
    return directory


def _download_from_hub(repo_id: str) -> Path:
    """Fetch a model directory from the Hugging Face hub (users with a network only)."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id))
    except Exception as exc:  # offline, unknown repo, auth: all reported the same way
        raise EmotraceError(
            "E112", f"Could not download model '{repo_id}' from the hub ({type(exc).__name__}).",
            "Use a local model directory, or check the id and your network.",
        ) from exc
