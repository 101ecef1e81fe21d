"""ONNX export (pooling and heads inside the graph), int8 quantization, and fixed activation scales.

Dynamic int8 quantization scales each layer's activations by the range of the whole batch, so a text's
reading depended on the texts batched with it (73 of 400 dev texts changed labels or views between
``predict([text])`` and one batch call). ``freeze_activation_scales`` replaces every per-batch scale with
one calibrated on a fixed set of texts: integer matrix products then treat each row alone, and a text gets
the same probabilities in any batch (within float rounding of the fp32 parts)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn

from emotrace.errors import EmotraceError
from emotrace.model.group_heads import EARLY_LAYER, EARLY_POOLED_OUTPUT, POOLED_OUTPUT
from emotrace.training.modeling import EmotionNet


class _OnnxWrapper(nn.Module):
    """Returns the heads (and the pooled text vector, the group heads' input) as a tuple in a fixed order,
    which ONNX export needs."""

    def __init__(self, net: EmotionNet) -> None:
        super().__init__()
        self.net = net
        self.names = ["emotion_logits"]
        if net.affect is not None:
            self.names.append("affect")
        if net.satisfaction is not None:
            self.names.append("satisfaction_logits")
        self.names.append(POOLED_OUTPUT)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        out = self.net(input_ids, attention_mask)
        return tuple(out[name] for name in self.names)


def export_onnx(net: EmotionNet, path: Path) -> Path:
    """Export ``net`` (fp32) to ONNX with dynamic batch and sequence axes.

    Attention is exported in its eager form: the SDPA form adds mask-repair nodes (Where, IsNaN) that
    cost the int8 runtime ~4% of its time and change nothing for padded batches."""
    wrapper = _OnnxWrapper(net).eval()
    attention = net.encoder.config._attn_implementation
    net.encoder.set_attn_implementation("eager")
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    mask = (ids != 0).long()
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}}
    axes.update({name: {0: "batch"} for name in wrapper.names})
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # the eager mask code warns that a shape check is traced as a constant: it holds for every input
        # shape (tests/training/test_overfit.py exports on one shape and reads another)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            # the graph is checked against the torch network on other shapes (tests/training/test_overfit.py)
            warnings.filterwarnings("ignore", message="Exporting aten::index operator", category=UserWarning)
            torch.onnx.export(wrapper, (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                              output_names=wrapper.names, dynamic_axes=axes, opset_version=17, dynamo=False)
    finally:
        net.encoder.set_attn_implementation(attention)
    return path


def quantize_int8(source: Path, target: Path) -> Path:
    """Dynamic int8 quantization of an fp32 ONNX file: QInt8 weights with one scale per output channel
    (per-tensor scales cost 0.007 dev macro-F1 and 0.006 Ekman macro-F1 at the same speed)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # ORT's advice to pre-process (shape inference) is for static quantization
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)
    return target


def add_early_pooled_output(path: Path, layer: int = EARLY_LAYER) -> bool:
    """Give the graph at ``path`` a second text vector, ``EARLY_POOLED_OUTPUT``: encoder layer ``layer``'s token
    vectors averaged over the attention mask exactly as the last layer's are for ``pooled`` (the same mask and
    divisor nodes), so each text's is its own in any batch. Rewrites the file; False where it has one already; E332
    where the graph is not shaped as ``export_onnx`` writes it."""
    model = onnx.load(str(path))
    graph = model.graph
    if any(o.name == EARLY_POOLED_OUTPUT for o in graph.output):
        return False
    producer = {out: node for node in graph.node for out in node.output}
    suffix = f"layer.{layer}/output/LayerNorm/LayerNormalization"
    layers = [n.output[0] for n in graph.node if n.op_type == "LayerNormalization" and n.name.endswith(suffix)]
    try:  # pooled = ReduceSum(hidden * mask, tokens) / Clip(ReduceSum(mask)), as export_onnx writes it
        divide = producer[POOLED_OUTPUT]
        total, count = producer[divide.input[0]], producer[producer[divide.input[1]].input[0]]
        mask = count.input[0]
        (hidden,) = layers
        assert (divide.op_type, total.op_type, count.op_type) == ("Div", "ReduceSum", "ReduceSum")
    except (KeyError, ValueError, AssertionError):
        raise EmotraceError("E332", f"{path} does not average its token vectors into '{POOLED_OUTPUT}' as "
                                    f"`emotrace train` exports it, or has no encoder layer {layer} output "
                                    f"({len(layers)} found), so the early layer's vector cannot be added.") from None
    prefix = f"/early_pooled/layer{layer}"
    graph.node.extend([
        helper.make_node("Mul", [hidden, mask], [f"{prefix}/masked"], name=f"{prefix}/Mul"),
        helper.make_node("ReduceSum", [f"{prefix}/masked", *total.input[1:]], [f"{prefix}/sum"],
                         name=f"{prefix}/ReduceSum", **{a.name: helper.get_attribute_value(a) for a in total.attribute}),
        helper.make_node("Div", [f"{prefix}/sum", divide.input[1]], [EARLY_POOLED_OUTPUT], name=f"{prefix}/Div")])
    (pooled,) = [o for o in graph.output if o.name == POOLED_OUTPUT]
    early = onnx.ValueInfoProto()
    early.CopyFrom(pooled)
    early.name = EARLY_POOLED_OUTPUT
    graph.output.append(early)
    onnx.save(model, str(path))
    return True


CALIBRATION_MARGIN = 1.05  # activation ranges are widened by 5% beyond the calibration texts' extremes


def freeze_activation_scales(path: Path, batches: Iterable[dict[str, np.ndarray]]) -> Path:
    """Replace each ``DynamicQuantizeLinear`` of an int8 ONNX file with a ``QuantizeLinear`` whose scale and
    zero point come from the activation range over ``batches`` (``input_ids``/``attention_mask`` feeds).
    The file is rewritten in place."""
    import onnxruntime as ort

    model = onnx.load(str(path))
    nodes = [n for n in model.graph.node if n.op_type == "DynamicQuantizeLinear"]
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.extend(helper.make_tensor_value_info(n.input[0], onnx.TensorProto.FLOAT, None) for n in nodes)
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [n.input[0] for n in nodes]
    low = np.zeros(len(names), dtype=np.float64)
    high = np.zeros(len(names), dtype=np.float64)
    for feed in batches:
        for i, value in enumerate(session.run(names, feed)):
            low[i], high[i] = min(low[i], float(value.min())), max(high[i], float(value.max()))
    graph = model.graph
    for node, lo, hi in zip(nodes, low * CALIBRATION_MARGIN, high * CALIBRATION_MARGIN, strict=True):
        scale = max(hi - lo, 1e-8) / 255.0
        zero_point = int(np.clip(round(-lo / scale), 0, 255))
        _, scale_name, zero_name = node.output
        graph.initializer.extend([numpy_helper.from_array(np.asarray(scale, dtype=np.float32), scale_name),
                                  numpy_helper.from_array(np.asarray(zero_point, dtype=np.uint8), zero_name)])
        index = list(graph.node).index(node)
        graph.node.remove(node)
        graph.node.insert(index, helper.make_node("QuantizeLinear", [node.input[0], scale_name, zero_name],
                                                  [node.output[0]], name=node.name + "_fixed"))
    _fuse_integer_matmuls(graph)
    onnx.save(model, str(path))
    return path


def _fuse_integer_matmuls(graph: onnx.GraphProto) -> None:
    """``MatMulInteger -> Cast -> Mul(a_scale * b_scale)`` becomes one ``com.microsoft.MatMulIntegerToFloat``
    (ONNX Runtime fuses this itself only after a ``DynamicQuantizeLinear``; unfused, the graph ran 17% slower)."""
    producer = {out: node for node in graph.node for out in node.output}
    weights = {tensor.name for tensor in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    for matmul in [n for n in graph.node if n.op_type == "MatMulInteger"]:
        cast = consumers.get(matmul.output[0], [])
        mul = consumers.get(cast[0].output[0], []) if len(cast) == 1 and cast[0].op_type == "Cast" else []
        if len(mul) != 1 or mul[0].op_type != "Mul":
            continue
        scales = producer.get(mul[0].input[1])
        if scales is None or scales.op_type != "Mul":
            continue
        a_q, b_q, a_zero, b_zero = matmul.input
        inputs = [a_q, b_q, scales.input[0], scales.input[1], a_zero, b_zero]
        replaced, output = [matmul, cast[0], mul[0]], mul[0].output[0]
        add = consumers.get(output, [])
        is_add = len(add) == 1 and add[0].op_type == "Add"
        bias = [x for x in add[0].input if x in weights and x != output] if is_add else []
        if len(bias) == 1:  # the layer's bias joins the fused node too
            inputs, output = [*inputs, bias[0]], add[0].output[0]
            replaced.append(add[0])
        fused = helper.make_node("MatMulIntegerToFloat", inputs, [output], name=matmul.name + "_to_float",
                                 domain="com.microsoft")
        index = list(graph.node).index(matmul)
        for node in replaced:
            graph.node.remove(node)
        graph.node.insert(index, fused)
