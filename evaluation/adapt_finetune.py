"""Whether ``emotrace adapt`` should fine-tune the encoder too: heads only vs plain fine-tuning vs SetFit-style pairs.

Measures, per domain (semeval, sanders, banking77, as :mod:`adapt_curve` reads them), per sample size and seed (the
same sampling as ``adapt_curve``: ``np.random.default_rng(seed).permutation`` of the pool, the first ``size`` rows),
the held-out macro-F1 of the satisfaction classes on the REST of the pool (subsampled to at most ``HELD_ROWS`` rows
with a fixed seed; the same rows for every method):

- shipped: the served int8 model as it is;
- heads: ``emotrace adapt`` as it is (heads only: the satisfaction head's offset on the served pooled vectors, exactly
  as ``adapt_curve`` does);
- plain: the served network rebuilt in torch (:func:`emotrace.training.rebuild.onnx_state_dict`), its top
  transformer layers and its satisfaction head (started from the served one) trained on the sample by cross-entropy of
  the classes each row allows (the two-class dissatisfied / other rows as ``adapt`` reads them), then read in fp32;
- setfit: the same network's top layers trained on contrastive pairs of the sample (every pair of a batch: cosine
  similarity of the pooled vectors towards 1 for the same class, 0 for different classes), then the satisfaction head
  refitted on the new pooled vectors exactly as ``adapt`` refits it (offset on the served head, L-BFGS).

Every method trains on the sample's rows that ``adapt`` trains on (its held-out test split, by a stable hash of the
text, left out). The decision is the one ``adapt_curve`` scores: the argmax of the satisfaction probabilities
(``HeadPlan.score``). Time: each method's training on this machine, wall clock and CPU time / threads (the latter is
what 2 dedicated cores would take when the machine is shared or the process was paused).

Also measured, for every fine-tuned encoder: what it costs the other views, which read the same pooled vector with the
shipped heads and thresholds. On a fixed sample of GoEmotions dev: the labels' macro-F1 (shipped thresholds) with the
torch network before and after fine-tuning, the share of texts whose top label / top Ekman group / decided label set
changes, and the mean change of valence.

The fine-tuning settings are chosen by ``choose``: k-fold cross-validation inside ONE sample (semeval, 300 rows,
seed 0), never on held-out rows; ``grid`` then uses them for every domain.

    python -m emotrace.evaluation.adapt_finetune choose [--domain semeval --size 300 --seed 0]
    python -m emotrace.evaluation.adapt_finetune grid [--domains semeval,sanders,banking77] [--sizes 100,300,1000]
        [--seeds 0,1] [--cache DIR] [--out adapt_finetune.jsonl]
    python -m emotrace.evaluation.adapt_finetune report adapt_finetune.jsonl   # the table again, from the file
"""

from __future__ import annotations

import copy
import csv
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Annotated

import numpy as np
import torch
import typer
from sklearn.metrics import f1_score
from torch.nn import functional
from transformers import AutoTokenizer, PreTrainedTokenizerBase, get_linear_schedule_with_warmup

from emotrace.evaluation.adapt_curve import FOLDS, domains, head_rows
from emotrace.model.classifier import EmotionClassifier, softmax
from emotrace.model.decision import decide, group_matrix, group_probabilities
from emotrace.model.group_heads import LABEL_HEAD, SATISFACTION_HEAD
from emotrace.settings import get_settings
from emotrace.training.adapt import (
    NO_CLASS,
    HeadPlan,
    ServedOutputs,
    adapt_head,
    fold_of,
    network_head,
    plan_head,
    served_outputs,
)
from emotrace.training.modeling import EmotionNet

THREADS = 2
BATCH = 16
READ_BATCH = 64
MAX_LENGTH = 128  # as served
HELD_ROWS = 2000  # held-out rows scored per sample, at most
HELD_SEED = 20_27
GOEMOTIONS_ROWS = 1000
GOEMOTIONS_SEED = 0
WARMUP = 0.1
WEIGHT_DECAY = 0.01
CHOICE_FOLDS = 3

app = typer.Typer(add_completion=False, help=__doc__.split("\n")[0])


@dataclass(frozen=True)
class Setting:
    """How one method fine-tunes: learning rates, epochs and how many of the top transformer layers train (the
    rest and the embeddings stay frozen)."""

    method: str  # "plain" or "setfit"
    encoder_lr: float
    head_lr: float
    epochs: int
    top_layers: int


# Chosen by `choose` (semeval, 300 rows, seed 0, 3-fold CV inside the sample, best mean fold macro-F1 over the
# candidates and epochs 1-4): plain 2e-5 / 3 epochs (CV 0.688 vs heads-only 0.659, shipped 0.662); setfit 2e-5 / 4
# epochs (CV 0.652: below heads-only; its 5e-5 candidate was not run for time).
CHOSEN = {"plain": Setting("plain", 2e-5, 1e-3, 3, 6), "setfit": Setting("setfit", 2e-5, 0.0, 4, 6)}


# --- the torch network -------------------------------------------------------------------------------------------


class Network:
    """The served network rebuilt in torch, and fresh copies of it to fine-tune."""

    def __init__(self, classifier: EmotionClassifier) -> None:
        self.classifier = classifier
        self.base = EmotionNet.from_directory(classifier.directory)
        self.base.eval()
        self.tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(str(classifier.directory))
        weight, bias = network_head(classifier, SATISFACTION_HEAD)  # the network's own, at the served temperature
        assert self.base.satisfaction is not None
        with torch.no_grad():
            self.base.satisfaction.weight.copy_(torch.from_numpy(np.asarray(weight, dtype=np.float32)))
            self.base.satisfaction.bias.copy_(torch.from_numpy(np.asarray(bias, dtype=np.float32)))

    def fresh(self) -> EmotionNet:
        return copy.deepcopy(self.base)

    def encode(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")

    def read(self, net: EmotionNet, texts: list[str]) -> dict[str, np.ndarray]:
        """Every output of ``net`` for ``texts`` (already normalized), in length-sorted batches, in input order."""
        net.eval()
        order = np.argsort([len(t) for t in texts], kind="stable")
        parts: dict[str, list[np.ndarray]] = {}
        with torch.no_grad():
            for start in range(0, len(texts), READ_BATCH):
                enc = self.encode([texts[i] for i in order[start : start + READ_BATCH]])
                for name, value in net(enc["input_ids"], enc["attention_mask"]).items():
                    parts.setdefault(name, []).append(value.numpy())
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        return {name: np.concatenate(values)[inverse] for name, values in parts.items()}


def _trainable(net: EmotionNet, top_layers: int) -> list[torch.nn.Parameter]:
    """Freeze the encoder but its top ``top_layers`` transformer layers; those layers' parameters."""
    for parameter in net.encoder.parameters():
        parameter.requires_grad = False
    layers = net.encoder.encoder.layer
    chosen = [p for layer in layers[len(layers) - top_layers :] for p in layer.parameters()]
    for parameter in chosen:
        parameter.requires_grad = True
    return chosen


def _batches(rows: int, rng: np.random.Generator) -> list[np.ndarray]:
    order = rng.permutation(rows)
    return [order[i : i + BATCH] for i in range(0, rows, BATCH)]


def train(network: Network, texts: list[str], targets: np.ndarray, setting: Setting, seed: int,
          after_epoch: Callable[[int, EmotionNet], None] | None = None) -> EmotionNet:
    """A fresh copy of the network fine-tuned on ``texts`` (normalized) with ``targets`` ((rows, 3) 0/1 of the
    classes each row allows), by ``setting``; ``after_epoch(epoch, net)`` after each epoch."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = network.fresh()
    encoder = _trainable(net, setting.top_layers)
    assert net.satisfaction is not None
    groups: list[dict[str, object]] = [{"params": encoder, "lr": setting.encoder_lr}]
    if setting.method == "plain":
        groups.append({"params": list(net.satisfaction.parameters()), "lr": setting.head_lr})
    else:
        for parameter in net.satisfaction.parameters():
            parameter.requires_grad = False
    optimizer = torch.optim.AdamW(groups, weight_decay=WEIGHT_DECAY)
    steps = setting.epochs * math.ceil(len(texts) / BATCH)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(WARMUP * steps), steps)
    allowed = torch.from_numpy(np.asarray(targets, dtype=np.float32))
    _, classes = np.unique(targets, axis=0, return_inverse=True)  # one class per target pattern
    class_ids = torch.from_numpy(np.asarray(classes).reshape(-1))
    for epoch in range(1, setting.epochs + 1):
        net.train()
        for batch in _batches(len(texts), rng):
            enc = network.encode([texts[i] for i in batch])
            out = net(enc["input_ids"], enc["attention_mask"])
            if setting.method == "plain":
                logits = out["satisfaction_logits"]
                rows = allowed[batch]
                loss = (torch.logsumexp(logits, dim=1)
                        - torch.logsumexp(logits + (1.0 - rows) * NO_CLASS, dim=1)).mean()
            else:
                vectors = functional.normalize(out["pooled"], dim=1)
                cosine = vectors @ vectors.T
                ids = class_ids[batch]
                same = (ids[:, None] == ids[None, :]).float()
                upper = torch.triu_indices(len(batch), len(batch), offset=1)
                if upper.shape[1] == 0:
                    continue
                loss = ((cosine - same)[upper[0], upper[1]] ** 2).mean()
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
        if after_epoch is not None:
            after_epoch(epoch, net)
    net.eval()
    return net


# --- data ----------------------------------------------------------------------------------------------------------


def goemotions_sample(data_root: Path, labels: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """A fixed sample of GoEmotions dev: texts and multi-hot gold over ``labels``."""
    folder = data_root / "goemotions" / "original"
    names = (folder / "labels.txt").read_text().split()
    with (folder / "dev.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    chosen = np.sort(np.random.default_rng(GOEMOTIONS_SEED).choice(len(rows), GOEMOTIONS_ROWS, replace=False))
    texts, gold = [], np.zeros((len(chosen), len(labels)), dtype=bool)
    for k, i in enumerate(chosen):
        texts.append(rows[i][0])
        for j in rows[i][1].split(","):
            gold[k, labels.index(names[int(j)])] = True
    return texts, gold


class OtherViews:
    """The shipped label and Ekman readings of a fixed GoEmotions dev sample, from pooled vectors (the served
    classifier's logic: its heads over the pooled vector where it has them)."""

    def __init__(self, network: Network, data_root: Path) -> None:
        classifier = network.classifier
        self.classifier = classifier
        self.labels = classifier.schema.labels
        raw, self.gold = goemotions_sample(data_root, tuple(self.labels))
        self.texts = [classifier.normalizer(t) for t in raw]
        self.thresholds = classifier.thresholds.for_labels(self.labels)
        served = classifier.raw_outputs(raw)
        self.served_f1 = self.f1(served.probabilities)
        self.base = self.views(network.read(network.base, self.texts))

    def views(self, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        heads = self.classifier.group_heads
        if LABEL_HEAD in heads:
            weight, bias = heads[LABEL_HEAD]
            logits = out["pooled"] @ weight.T + bias
        else:
            logits = out["emotion_logits"]
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        if "ekman" in heads:
            weight, bias = heads["ekman"]
            ekman = 1.0 / (1.0 + np.exp(-(out["pooled"] @ weight.T + bias)))
        else:
            ekman = group_probabilities(probabilities, group_matrix(self.classifier.schema, "ekman"))
        return {"probabilities": probabilities, "ekman": ekman, "valence": out["affect"][:, 0]}

    def f1(self, probabilities: np.ndarray) -> float:
        return float(f1_score(self.gold, decide(probabilities, self.thresholds), average="macro", zero_division=0))

    def drift(self, network: Network, net: EmotionNet) -> dict[str, float]:
        now = self.views(network.read(net, self.texts))
        base = self.base
        return {
            "goemotions_f1_before": self.f1(base["probabilities"]),
            "goemotions_f1_after": self.f1(now["probabilities"]),
            "top_label_changed": float((now["probabilities"].argmax(1) != base["probabilities"].argmax(1)).mean()),
            "top_ekman_changed": float((now["ekman"].argmax(1) != base["ekman"].argmax(1)).mean()),
            "label_set_changed": float((decide(now["probabilities"], self.thresholds)
                                        != decide(base["probabilities"], self.thresholds)).any(1).mean()),
            "valence_mean_abs_change": float(np.abs(now["valence"] - base["valence"]).mean()),
        }


def _cached_served(classifier: EmotionClassifier, name: str, texts: list[str], cache: Path | None) -> ServedOutputs:
    """The served outputs of a domain's pool (cached under ``cache`` as .npz, keyed by the domain and its size)."""
    file = None if cache is None else cache / f"{name}-{len(texts)}.npz"
    if file is not None and file.exists():
        saved = np.load(file)
        return ServedOutputs(saved["pooled"], saved["satisfaction"], saved["probabilities"], None)
    served = served_outputs(classifier, texts, progress=False)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        assert served.satisfaction is not None
        np.savez(file, pooled=served.pooled, satisfaction=served.satisfaction, probabilities=served.probabilities)
    return served


class Clock:
    """Wall time and CPU time / threads of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = (time.process_time() - self.cpu) / THREADS


# --- one sample ----------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One domain's sample (what a user labels), its rows ``adapt`` trains on, and the held-out rows scored."""

    domain: str
    size: int
    seed: int
    plan: HeadPlan  # the sample's rows as adapt reads them
    fitted: np.ndarray  # positions in plan's rows that adapt trains on (its held-out split left out)
    held: HeadPlan  # the scored rest of the pool
    sample_texts: list[str]  # normalized, plan's rows
    held_texts: list[str]  # normalized, held's rows
    rest: np.ndarray  # held's rows: positions in the pool


def make_sample(classifier: EmotionClassifier, name: str, texts: list[str], normalized: list[str], labels: list[str],
                served: ServedOutputs, size: int, seed: int) -> Sample:
    order = np.random.default_rng(seed).permutation(len(texts))
    sample, rest = np.sort(order[:size]), np.sort(order[size:])
    if len(rest) > HELD_ROWS:
        rest = np.sort(np.random.default_rng(HELD_SEED).choice(rest, HELD_ROWS, replace=False))
    plan = plan_head(classifier, head_rows(labels, sample), served, texts, FOLDS)
    held = plan_head(classifier, head_rows(labels, rest), served, texts, FOLDS)
    return Sample(name, size, seed, plan, np.flatnonzero(~plan.held_out), held,
                  [normalized[i] for i in sample], [normalized[i] for i in rest], rest)


def heads_only(sample: Sample) -> tuple[float, float, Clock]:
    """The shipped and the heads-only adapted macro-F1 on the held rows, and the fit's time."""
    every = np.arange(len(sample.held.served))
    with Clock() as clock:
        _, head, _ = adapt_head(sample.plan)
    shipped = sample.held.score(sample.held.served, sample.held.thresholds, every)
    return shipped, sample.held.score(sample.held.probabilities(head, every), sample.held.thresholds, every), clock


def shipped_fp32(network: Network, sample: Sample, logits: dict[int, np.ndarray]) -> float:
    """The held-out macro-F1 of the unchanged network read in torch fp32 (what the fine-tuned figures start from,
    before int8), ``logits`` caching each pool row's satisfaction logits."""
    missing = [int(i) for i in sample.rest if int(i) not in logits]
    if missing:
        position = {int(i): k for k, i in enumerate(sample.rest)}
        read = network.read(network.base, [sample.held_texts[position[i]] for i in missing])["satisfaction_logits"]
        logits.update(zip(missing, read, strict=True))
    every = np.arange(len(sample.held.served))
    probabilities = softmax(np.stack([logits[int(i)] for i in sample.rest]))
    return sample.held.score(probabilities, sample.held.thresholds, every)


def fine_tuned(network: Network, sample: Sample, setting: Setting) -> tuple[float, EmotionNet, Clock]:
    """The held-out macro-F1 of ``setting``'s fine-tuning on the sample's fitted rows, the network, its time (the
    head refit and the sample's reading included for setfit)."""
    texts = [sample.sample_texts[i] for i in sample.fitted]
    every = np.arange(len(sample.held.served))
    with Clock() as clock:
        net = train(network, texts, sample.plan.rows.targets[sample.fitted], setting, sample.seed)
        if setting.method == "setfit":
            plan = replace(sample.plan, features=network.read(net, sample.sample_texts)["pooled"])
            _, head, _ = adapt_head(plan)
    out = network.read(net, sample.held_texts)
    if setting.method == "plain":
        probabilities = softmax(out["satisfaction_logits"])
    else:
        probabilities = replace(sample.held, features=out["pooled"]).probabilities(head, every)
    return sample.held.score(probabilities, sample.held.thresholds, every), net, clock


# --- commands ------------------------------------------------------------------------------------------------------


def _setup() -> tuple[EmotionClassifier, Network, dict[str, tuple[list[str], list[str]]]]:
    torch.set_num_threads(THREADS)
    classifier = EmotionClassifier.from_pretrained(threads=THREADS)
    return classifier, Network(classifier), domains(get_settings().data_root)


@app.command()
def choose(domain: Annotated[str, typer.Option(help="The one domain whose sample chooses the settings.")] = "semeval",
           size: Annotated[int, typer.Option(help="Its sample's rows.")] = 300,
           seed: Annotated[int, typer.Option(help="Its sample's seed.")] = 0,
           max_epochs: Annotated[int, typer.Option(help="Epochs scored (after each).")] = 4,
           cache: Annotated[Path | None, typer.Option(help="Folder caching the served pool outputs.")] = None,
           out: Annotated[Path | None, typer.Option(help="JSON file of the figures.")] = None) -> None:
    """Choose each method's settings by CHOICE_FOLDS-fold cross-validation inside one sample (its fitted rows):
    macro-F1 of the held fold after each epoch, per candidate setting; heads-only on the same folds for reference."""
    classifier, network, pools = _setup()
    texts, labels = pools[domain]
    served = _cached_served(classifier, domain, texts, cache)
    normalized = [classifier.normalizer(t) for t in texts]
    sample = make_sample(classifier, domain, texts, normalized, labels, served, size, seed)
    rows = sample.fitted
    fold = fold_of([sample.sample_texts[i] for i in rows], CHOICE_FOLDS)
    candidates = [Setting("plain", 2e-5, 1e-3, max_epochs, 6), Setting("plain", 5e-5, 1e-3, max_epochs, 6),
                  Setting("plain", 1e-4, 1e-3, max_epochs, 2),
                  Setting("setfit", 2e-5, 0.0, max_epochs, 6), Setting("setfit", 5e-5, 0.0, max_epochs, 6)]
    figures: dict[str, object] = {"domain": domain, "size": size, "seed": seed, "rows": len(rows)}
    heads = np.zeros((CHOICE_FOLDS, 2))
    for k in range(CHOICE_FOLDS):
        train_rows, scored = rows[fold != k], rows[fold == k]
        head = sample.plan.fit(train_rows)
        heads[k] = (sample.plan.score(sample.plan.served[scored], sample.plan.thresholds, scored),
                    sample.plan.score(sample.plan.probabilities(head, scored), sample.plan.thresholds, scored))
    figures["shipped_cv"], figures["heads_cv"] = heads.mean(0).tolist()
    typer.echo(f"shipped {heads[:, 0].mean():.3f}  heads-only {heads[:, 1].mean():.3f}", err=True)
    results = []
    for setting in candidates:
        scores = np.zeros((CHOICE_FOLDS, setting.epochs))
        started = time.perf_counter()
        for k in range(CHOICE_FOLDS):
            train_rows, scored = rows[fold != k], rows[fold == k]

            def after(epoch: int, net: EmotionNet, k: int = k, train_rows: np.ndarray = train_rows,
                      scored: np.ndarray = scored, setting: Setting = setting,
                      scores: np.ndarray = scores) -> None:
                if setting.method == "plain":
                    logits = network.read(net, [sample.sample_texts[i] for i in scored])["satisfaction_logits"]
                    probabilities = softmax(logits)
                else:
                    both = np.concatenate([train_rows, scored])
                    pooled = network.read(net, [sample.sample_texts[i] for i in both])["pooled"]
                    features = sample.plan.features.copy()
                    features[both] = pooled
                    plan = replace(sample.plan, features=features)
                    probabilities = plan.probabilities(plan.fit(train_rows), scored)
                scores[k, epoch - 1] = sample.plan.score(probabilities, sample.plan.thresholds, scored)

            train(network, [sample.sample_texts[i] for i in train_rows], sample.plan.rows.targets[train_rows],
                  setting, seed, after)
        mean = scores.mean(0)
        results.append({**asdict(setting), "cv_by_epoch": mean.tolist(), "seconds": time.perf_counter() - started})
        typer.echo(f"{setting}: " + " ".join(f"{v:.3f}" for v in mean), err=True)
    figures["candidates"] = results
    text = json.dumps(figures, indent=2)
    if out is not None:
        out.write_text(text)
    typer.echo(text)


@app.command()
def grid(domain_names: Annotated[str, typer.Option("--domains", help="Comma-separated.")] = "semeval,sanders,banking77",
         sizes: Annotated[str, typer.Option(help="Labelled rows per sample, comma-separated.")] = "100,300,1000",
         seeds: Annotated[str, typer.Option(help="Sample seeds, comma-separated.")] = "0,1",
         drift_sizes: Annotated[str, typer.Option(help="Sizes whose fine-tuned encoders are read on GoEmotions "
                                                 "dev (seed 0 only; empty for none).")] = "300,1000",
         methods: Annotated[str, typer.Option(help="Fine-tuning methods, comma-separated.")] = "plain,setfit",
         cache: Annotated[Path | None, typer.Option(help="Folder caching the served pool outputs.")] = None,
         out: Annotated[Path, typer.Option(help="JSON lines of the figures, one per sample (appended).")
                        ] = Path("adapt_finetune.jsonl")) -> None:
    """Per domain, size and seed: shipped / heads-only / fine-tuned held-out macro-F1, times, and (drift sizes,
    seed 0) the other views' drift on GoEmotions dev; then a table of the means over seeds."""
    classifier, network, pools = _setup()
    views = OtherViews(network, get_settings().data_root) if drift_sizes else None
    if views is not None:
        typer.echo(f"GoEmotions dev sample: served int8 macro-F1 {views.served_f1:.3f}, torch fp32 "
                   f"{views.f1(views.base['probabilities']):.3f}", err=True)
    wanted_drift = {int(s) for s in drift_sizes.split(",") if s}
    rows = []
    for name in domain_names.split(","):
        texts, labels = pools[name]
        served = _cached_served(classifier, name, texts, cache)
        normalized = [classifier.normalizer(t) for t in texts]
        base_logits: dict[int, np.ndarray] = {}
        for size in [int(s) for s in sizes.split(",")]:
            for seed in [int(s) for s in seeds.split(",")]:
                sample = make_sample(classifier, name, texts, normalized, labels, served, size, seed)
                shipped, adapted, clock = heads_only(sample)
                row: dict[str, object] = {"domain": name, "size": size, "seed": seed, "fitted": len(sample.fitted),
                                          "held": len(sample.held.served), "shipped": shipped,
                                          "shipped_fp32": shipped_fp32(network, sample, base_logits), "heads": adapted,
                                          "heads_seconds": clock.wall}
                for method in methods.split(","):
                    f1, net, clock = fine_tuned(network, sample, CHOSEN[method])
                    row[method] = f1
                    row[f"{method}_seconds"] = clock.wall
                    row[f"{method}_cpu_seconds"] = clock.cpu
                    if views is not None and seed == 0 and size in wanted_drift:
                        row[f"{method}_drift"] = views.drift(network, net)
                typer.echo(json.dumps(row), err=True)
                with out.open("a") as handle:
                    handle.write(json.dumps(row) + "\n")
                rows.append(row)
    typer.echo(table(rows, methods.split(",")))


def table(rows: list[dict[str, object]], methods: list[str]) -> str:
    """Markdown: per domain and size, the means over seeds."""
    head = ("| domain | rows | seeds | shipped (int8) | shipped (torch fp32) | heads only | " + " | ".join(methods)
            + " | time heads | " + " | ".join(f"time {m} (wall / cpu÷{THREADS})" for m in methods) + " |")
    lines = [head, "|" + "---|" * (6 + 2 * len(methods) + 1)]
    keys = sorted({(str(r["domain"]), int(r["size"])) for r in rows}, key=lambda k: (k[0], k[1]))  # type: ignore[call-overload]
    for domain, size in keys:
        group = [r for r in rows if r["domain"] == domain and r["size"] == size]

        def mean(key: str, group: list[dict[str, object]] = group) -> float:
            return float(np.mean([float(r[key]) for r in group]))  # type: ignore[arg-type]

        lines.append(f"| {domain} | {size:,} | {len(group)} | {mean('shipped'):.3f} | {mean('shipped_fp32'):.3f} | "
                     f"{mean('heads'):.3f} | "
                     + " | ".join(f"{mean(m):.3f}" for m in methods) + f" | {mean('heads_seconds'):.1f} s | "
                     + " | ".join(f"{mean(m + '_seconds'):.0f} / {mean(m + '_cpu_seconds'):.0f} s" for m in methods)
                     + " |")
    return "\n".join(lines)


@app.command()
def report(file: Annotated[Path, typer.Argument(help="The JSON lines `grid` wrote.")] = Path("adapt_finetune.jsonl"),
           methods: Annotated[str, typer.Option(help="Comma-separated.")] = "plain,setfit") -> None:
    """The table of a finished (or partial) grid, and its drift rows."""
    rows = [json.loads(line) for line in file.read_text().splitlines() if line.strip()]
    typer.echo(table(rows, methods.split(",")))
    for row in rows:
        for method in methods.split(","):
            if f"{method}_drift" in row:
                typer.echo(f"{row['domain']} {row['size']} {method}: " + ", ".join(
                    f"{k} {v:.3f}" for k, v in row[f"{method}_drift"].items()))


if __name__ == "__main__":
    app()
