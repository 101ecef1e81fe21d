"""Trainable weights rebuilt from a served model: its int8 ONNX graph dequantized into the torch network's state.

A packaged model ships what serving reads (``model.onnx``, int8), not the 45 MB of trainable weights each release
used to add to the repository. Training on from a packaged model (``--from-model``) needs the torch network; every
weight it serves is in the graph: linear layers as int8 with one scale per output channel, embeddings as int8 with one
scale, biases and layer norms as float32. Dequantized, they give the network the served model computes (within int8
rounding, which the served model has too). The pooler, which mean pooling never reads, is not in the graph and keeps
its initial values; a trained intent head, not in the graph either, starts from the served intent head
(``group_heads.safetensors``), which reads the same pooled vector.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnx
from onnx import numpy_helper

from emotrace.model.classifier import ONNX_FILE
from emotrace.model.group_heads import GROUP_HEADS_FILE, hidden_layer_of
from emotrace.model.labels import INTENT_VIEW

if TYPE_CHECKING:
    import torch

GRAPH_PREFIX = "net."  # the export wraps the network as ``net`` (training/export.py)
INTENT_HEAD = "intents"  # EmotionNet's trained intent head


def _dequantized(values: np.ndarray, scale: np.ndarray, zero_point: np.ndarray) -> np.ndarray:
    return (values.astype(np.float32) - zero_point.astype(np.float32)) * scale.astype(np.float32)


def onnx_state_dict(directory: Path) -> dict[str, torch.Tensor]:
    """The torch network's weights as ``directory/model.onnx`` holds them (names as ``EmotionNet.state_dict``),
    with the served intent head as the network's where it reads the pooled vector alone (one that reads word features
    too, or has a hidden layer, has no place in the network: training on starts the network's intent head afresh)."""
    import torch

    state = onnx_weights(directory)
    heads = directory / GROUP_HEADS_FILE
    if heads.exists():
        from safetensors.numpy import load_file

        served = load_file(str(heads))
        hidden = state["encoder.embeddings.word_embeddings.weight"].shape[1]
        over_pooled = f"{hidden_layer_of(INTENT_VIEW)}.weight" not in served
        if f"{INTENT_VIEW}.weight" in served and over_pooled and served[f"{INTENT_VIEW}.weight"].shape[1] == hidden:
            state[f"{INTENT_HEAD}.weight"] = served[f"{INTENT_VIEW}.weight"]
            state[f"{INTENT_HEAD}.bias"] = served[f"{INTENT_VIEW}.bias"]
    return {name: torch.from_numpy(np.array(value, dtype=np.float32)) for name, value in state.items()}


def onnx_weights(directory: Path) -> dict[str, np.ndarray]:
    """Every weight ``directory/model.onnx`` serves, dequantized to float32 (names as ``EmotionNet.state_dict``;
    linear weights as (outputs, inputs)); no torch needed."""
    graph = onnx.load(str(directory / ONNX_FILE)).graph
    tensors = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    state: dict[str, np.ndarray] = {}
    for node in graph.node:
        if node.op_type == "MatMulIntegerToFloat" and len(node.input) == 7:
            _, weight, _, scale, _, zero_point, bias = node.input
            if bias.startswith(GRAPH_PREFIX):  # (input features, outputs), scaled per output: torch stores it transposed
                name = bias.removeprefix(GRAPH_PREFIX).removesuffix(".bias") + ".weight"
                state[name] = _dequantized(tensors[weight], tensors[scale], tensors[zero_point]).T
    for name, value in tensors.items():
        if not name.startswith(GRAPH_PREFIX):
            continue
        if name.endswith(".weight_quantized") and not name.endswith("_Transposed_quantized"):  # embeddings
            stem = name.removesuffix("_quantized")
            state[stem.removeprefix(GRAPH_PREFIX)] = _dequantized(value, tensors[stem + "_scale"],
                                                                  tensors[stem + "_zero_point"])
        elif value.dtype == np.float32 and not name.endswith(("_scale", "_zero_point")):
            state[name.removeprefix(GRAPH_PREFIX)] = value
    return {name: np.array(value, dtype=np.float32) for name, value in state.items()}
