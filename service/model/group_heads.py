"""Heads over the pooled text vector: one linear map per grouping (Ekman, sentiment), the intents', the topics' (which
also reads word features: :mod:`emotrace.model.topic_terms`) and, where refit,
the labels' and, where adapted (``emotrace adapt``), the satisfaction classes'. A head may keep one hidden layer
beside it (``<head>_hidden``: the intent head's, :mod:`emotrace.model.word_heads`).

Read from their own heads, fitted on the grouped labels, the coarse views beat taking each group's most
probable member label (dev macro-F1 in the model card). A model directory without
``group_heads.safetensors``, or whose ONNX graph does not output the pooled vector, derives the grouped
views from the label probabilities instead. The ``labels`` head, where present, replaces the graph's own label
head: refit on the served (int8) network's vectors with the network frozen, it reads GoEmotions dev at macro-F1
.530 (out of fold .507) where the graph's head, trained with the network, read .515 (.495). The ``satisfaction``
head, where present, likewise replaces the graph's satisfaction head: its logits (calibration included, so the
directory's satisfaction temperature does not apply to them) give the dissatisfied / neutral / satisfied softmax.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from emotrace.errors import EmotraceError
from emotrace.model.config import CONFIG_FILE
from emotrace.model.labels import SATISFACTION_CLASSES, LabelSchema
from emotrace.paths import with_default_mode

GROUP_HEADS_FILE = "group_heads.safetensors"
POOLED_OUTPUT = "pooled"
# The mean of an early encoder layer's token vectors (the second of six): nearer the words said than the last layer,
# which fine-tuning tuned for feeling. The intent head reads it beside the pooled vector (docs/benchmarks.md,
# fifty-first round): through it "I want a refund." reads as a refund request, which the last layer's alone missed.
EARLY_POOLED_OUTPUT = "early_pooled"
EARLY_LAYER = 1  # the encoder layer (from 0) whose output ``EARLY_POOLED_OUTPUT`` averages
LABEL_HEAD = "labels"  # the head that reads the labels themselves (not a grouping)
SATISFACTION_HEAD = "satisfaction"  # the head that reads the satisfaction classes (written by `emotrace adapt`)
HIDDEN_LAYER_SUFFIX = "_hidden"  # a head's hidden layer, where it has one (:mod:`emotrace.model.word_heads`)


def vector_widths(graph: Path) -> list[int]:
    """The widths of the text vectors the ONNX graph at ``graph`` outputs: the pooled one, and the early layer's
    where it has one."""
    import onnx  # read by training only: the runtime learns the same from its session

    outputs = {o.name: o.type.tensor_type.shape.dim[-1].dim_value
               for o in onnx.load(str(graph), load_external_data=False).graph.output}
    return [outputs[name] for name in (POOLED_OUTPUT, EARLY_POOLED_OUTPUT) if name in outputs]


def hidden_layer_of(head: str) -> str:
    """The name under which ``head``'s hidden layer is stored."""
    return head + HIDDEN_LAYER_SUFFIX


def save_group_heads(heads: dict[str, tuple[np.ndarray, np.ndarray]], directory: Path) -> None:
    """Write ``{grouping or LABEL_HEAD: (weight (outputs, hidden), bias (outputs,))}`` into ``directory``."""
    tensors = {}
    for grouping, (weight, bias) in heads.items():
        tensors[f"{grouping}.weight"] = np.ascontiguousarray(weight, dtype=np.float32)
        tensors[f"{grouping}.bias"] = np.ascontiguousarray(bias, dtype=np.float32)
    save_file(tensors, str(directory / GROUP_HEADS_FILE))
    with_default_mode(directory / GROUP_HEADS_FILE)


def load_group_heads(directory: Path, schema: LabelSchema) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The pooled-vector heads of a model directory ({} when it has none), checked against its labels and groupings."""
    path = directory / GROUP_HEADS_FILE
    if not path.exists():
        return {}
    try:
        tensors = load_file(str(path))
    except Exception as exc:  # safetensors raises its own untyped errors
        raise EmotraceError("E113", f"{path} could not be read ({exc}).",
                            "The group heads file is damaged: restore it from the model's release.") from None
    widths = {LABEL_HEAD: len(schema.labels), SATISFACTION_HEAD: len(SATISFACTION_CLASSES),
              **{view: len(names) for view, names in schema.view_groups().items() if names}}
    heads = {}
    for grouping in sorted({name.rsplit(".", 1)[0] for name in tensors}):
        weight, bias = tensors.get(f"{grouping}.weight"), tensors.get(f"{grouping}.bias")
        if weight is None or bias is None or weight.ndim != 2 or bias.shape != (weight.shape[0],):
            raise EmotraceError("E113", f"{path} has a head '{grouping}' without a weight matrix and a bias of its "
                                        "width.", "The group heads file is damaged: restore it from the model's "
                                                  "release.")
        owner = grouping.removesuffix(HIDDEN_LAYER_SUFFIX)
        if owner != grouping:  # a hidden layer: as wide as what its head's output layer reads
            if f"{owner}.weight" not in tensors or tensors[f"{owner}.weight"].shape[1] != weight.shape[0]:
                raise EmotraceError(
                    "E113", f"{path} has a hidden layer for '{owner}' that no output layer of that head reads.",
                    "The group heads file is damaged: restore it from the model's release.")
        elif weight.shape[0] != widths.get(grouping):
            raise EmotraceError(
                "E113", f"{path} has a head for '{grouping}' with {weight.shape[0]} outputs, which {CONFIG_FILE} "
                        "does not define.",
                f"The group heads belong to another model: delete the file or restore the right {CONFIG_FILE}.")
        heads[grouping] = (weight, bias)
    return heads

