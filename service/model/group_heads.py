"""Grouped-view heads: one linear map per grouping (Ekman, sentiment) over the pooled text vector.

Read from their own heads, fitted on the grouped labels, the coarse views beat taking each group's most
probable member label (dev macro-F1 in the model card). A model directory without
``group_heads.safetensors``, or whose ONNX graph does not output the pooled vector, derives the grouped
views from the label probabilities instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from emotrace.errors import EmotraceError
from emotrace.model.labels import LabelSchema

GROUP_HEADS_FILE = "group_heads.safetensors"
POOLED_OUTPUT = "pooled"


def save_group_heads(heads: dict[str, tuple[np.ndarray, np.ndarray]], directory: Path) -> None:
    """Write ``{grouping: (weight (groups, hidden), bias (groups,))}`` into ``directory``."""
    tensors = {}
    for grouping, (weight, bias) in heads.items():
        tensors[f"{grouping}.weight"] = np.ascontiguousarray(weight, dtype=np.float32)
        tensors[f"{grouping}.bias"] = np.ascontiguousarray(bias, dtype=np.float32)
    save_file(tensors, str(directory / GROUP_HEADS_FILE))


def load_group_heads(directory: Path, schema: LabelSchema) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The group heads of a model directory ({} when it has none), checked against its groupings."""
    path = directory / GROUP_HEADS_FILE
    if not path.exists():
        return {}
    tensors = load_file(str(path))
    heads = {}
    for grouping in sorted({name.rsplit(".", 1)[0] for name in tensors}):
        weight, bias = tensors[f"{grouping}.weight"], tensors[f"{grouping}.bias"]
        if grouping not in schema.groupings or weight.shape[0] != len(schema.group_names(grouping)):
            raise EmotraceError(
                "E113", f"{path} has a head for grouping '{grouping}' that labels.json does not define "
                        f"with {weight.shape[0]} groups.",
                "The group heads belong to another model: delete the file or restore the right labels.json.")
        heads[grouping] = (weight, bias)
    return heads
