"""Classifier speed, in one process, on the GoEmotions dev texts: the shipped runtime (ONNX int8, length-
sorted batches) vs ``transformers.pipeline("text-classification")`` in torch fp32 over the same
fine-tuned weights (with and without aspects, which read the clauses of multi-clause texts too). Also single-text
latency percentiles and peak memory.

    python -m emotrace.evaluation.benchmark_speed [--torch-weights DIR] [--limit N]

The torch weights default to the shipped model directory (stored in fp16, run in fp32 here).
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.evaluation.common import goemotions_dev, print_figures
from emotrace.model.classifier import EmotionClassifier
from emotrace.paths import DEFAULT_MODEL_DIR
from emotrace.text.normalize import normalize_text

if TYPE_CHECKING:
    from transformers import Pipeline

REPEATS = 3  # both sides: the best of three passes over the texts


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _texts_per_second(run: Callable[[list[str]], object], texts: list[str]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        run(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def pipeline_over(weights: Path) -> Pipeline:
    """A text-classification pipeline whose model is the fine-tuned encoder + emotion head (fp32)."""
    import torch
    from transformers import BertConfig, BertModel, BertPreTrainedModel, pipeline
    from transformers.modeling_outputs import SequenceClassifierOutput

    from emotrace.training.modeling import EmotionNet, mean_pool

    net = EmotionNet.from_directory(weights).eval()

    class MeanPoolingClassifier(BertPreTrainedModel):
        """The same network as a transformers sequence classifier, so the stock pipeline can run it."""

        def __init__(self, config: BertConfig) -> None:
            super().__init__(config)
            self.bert = BertModel(config, add_pooling_layer=False)
            self.classifier = torch.nn.Linear(config.hidden_size, net.emotion.out_features)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    **_: object) -> SequenceClassifierOutput:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return SequenceClassifierOutput(logits=self.classifier(mean_pool(hidden, attention_mask)))

    config = cast(BertConfig, net.encoder.config)  # all-MiniLM-L6-v2 is a BERT encoder
    config.num_labels = net.emotion.out_features
    model = MeanPoolingClassifier(config)
    model.bert.load_state_dict(net.encoder.state_dict(), strict=False)
    model.classifier.load_state_dict(net.emotion.state_dict())
    model.eval()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(weights))
    from transformers.utils import logging

    verbosity = logging.get_verbosity()
    logging.set_verbosity(logging.CRITICAL)  # a custom model class gets an error listing every class it knows
    try:
        return pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1, top_k=None,
                        function_to_apply="sigmoid", truncation=True, max_length=128, batch_size=32)
    finally:
        logging.set_verbosity(verbosity)


def main() -> None:
    """Print texts/s of both, the speed-up, single-text p50/p99 latency and peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="Model directory (default: shipped).")
    parser.add_argument("--torch-weights", type=Path, default=None,
                        help="The network the transformers pipeline reads (default: --model's, or the shipped one).")
    parser.add_argument("--limit", type=int, default=None, help="Use only the first N dev texts.")
    args = parser.parse_args()
    args.torch_weights = args.torch_weights or Path(args.model or DEFAULT_MODEL_DIR)  # both sides read one network
    if not any((args.torch_weights / name).exists() for name in ("model.safetensors", "model.onnx")):
        raise SystemExit(str(EmotraceError("E401", f"No torch weights in {args.torch_weights}.",
                                           "Run `emotrace train` first (or pass --torch-weights).")))
    texts = goemotions_dev().texts[: args.limit]
    rss_start = _peak_rss_mb()
    classifier = EmotionClassifier.from_pretrained(args.model)
    classifier.predict(texts[:256])  # warm-up
    runtime_tps = _texts_per_second(classifier.predict, texts)
    with_aspects_tps = _texts_per_second(lambda batch: classifier.predict(batch, aspects=True), texts)
    latencies = []
    for text in texts[:1000]:
        start = time.perf_counter()
        classifier.predict([text])
        latencies.append((time.perf_counter() - start) * 1000)
    runtime_rss = _peak_rss_mb()

    pipe = pipeline_over(args.torch_weights)
    normalized = [normalize_text(t) for t in texts]
    pipe(normalized[:64])  # warm-up
    pipeline_tps = _texts_per_second(pipe, normalized)
    print_figures(f"classifier speed ({len(texts)} GoEmotions dev texts, 1 process)", {
        "runtime texts/s (ONNX int8)": round(runtime_tps, 1),
        "pipeline texts/s (torch fp32)": round(pipeline_tps, 1),
        "speed-up": round(runtime_tps / pipeline_tps, 2),
        "runtime texts/s with aspects (the service's default)": round(with_aspects_tps, 1),
        "speed-up with aspects": round(with_aspects_tps / pipeline_tps, 2),
        "single-text latency p50 ms": round(float(np.percentile(latencies, 50)), 2),
        "single-text latency p99 ms": round(float(np.percentile(latencies, 99)), 2),
        "peak RSS MB, runtime only": round(runtime_rss, 1),
        "RSS MB before loading": round(rss_start, 1),
        "peak RSS MB, after pipeline": round(_peak_rss_mb(), 1),
    })


if __name__ == "__main__":
    main()
