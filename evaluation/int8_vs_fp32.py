"""Quantization cost: GoEmotions dev macro-F1 of the shipped int8 ONNX model vs the fp32 ONNX export of
the same weights, with the same thresholds.

    python -m evaluation.int8_vs_fp32 [--fp32 FILE]

The fp32 reference is exported now from the model directory's weights (stored in fp16, run in fp32), so
it always matches the shipped int8 model; ``--fp32`` compares against another fp32 ONNX file instead.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np

from emotrace.evaluation.common import goemotions_dev, print_figures
from emotrace.model.classifier import ONNX_FILE, EmotionClassifier
from emotrace.model.group_heads import EARLY_POOLED_OUTPUT
from emotrace.model.metrics import evaluate_outputs
from emotrace.model.reports import headline_scores
from emotrace.paths import DEFAULT_MODEL_DIR
from emotrace.training.export import add_early_pooled_output, export_onnx
from emotrace.training.modeling import EmotionNet


def main() -> None:
    """Print dev macro-F1 of int8 and fp32 and the largest probability difference."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--fp32", type=Path, default=None)
    args = parser.parse_args()
    dev = goemotions_dev()
    int8 = EmotionClassifier.from_pretrained(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        fp32_dir = Path(shutil.copytree(args.model, Path(tmp) / "fp32"))
        if args.fp32 is not None:
            shutil.copy(args.fp32, fp32_dir / ONNX_FILE)
        else:
            export_onnx(EmotionNet.from_directory(args.model).eval(), fp32_dir / ONNX_FILE)
        if EARLY_POOLED_OUTPUT in int8.outputs:  # the intent head reads it too
            add_early_pooled_output(fp32_dir / ONNX_FILE)
        fp32 = EmotionClassifier.from_pretrained(fp32_dir)
        raw_int8, raw_fp32 = int8.raw_outputs(dev.texts), fp32.raw_outputs(dev.texts)
    r_int8, r_fp32 = evaluate_outputs(int8, raw_int8, dev), evaluate_outputs(int8, raw_fp32, dev)
    p_int8, p_fp32 = raw_int8.probabilities, raw_fp32.probabilities
    print_figures("int8 vs fp32 (GoEmotions dev, same thresholds)", {
        **{f"{key} {name}": value for name, report in (("int8", r_int8), ("fp32", r_fp32))
           for key, value in headline_scores(report).items() if key != "micro_f1"},
        "macro_f1 loss (fp32 - int8)": r_fp32["macro_f1"] - r_int8["macro_f1"],
        "max |p_int8 - p_fp32|": float(np.abs(p_int8 - p_fp32).max()),
        "mean |p_int8 - p_fp32|": float(np.abs(p_int8 - p_fp32).mean()),
    })


if __name__ == "__main__":
    main()
