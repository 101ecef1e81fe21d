"""Multi-task fine-tuning loop: resumable from checkpoints, progress shown with tqdm.

Each batch holds one task (emotion, affect, satisfaction, intent, distillation or the pooled-vector anchor). Batches
are cut from length-sorted pools so that padding to the longest text in a batch wastes little; the batch order of an
epoch depends only on the seed and the epoch, which is what makes resuming exact.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from emotrace.errors import EmotraceError
from emotrace.paths import staged_folder
from emotrace.text.normalize import normalize_text
from emotrace.training.modeling import EmotionNet

TASKS = ("emotion", "affect", "satisfaction", "intent", "distill", "anchor")
# The anchor loss's weight beside the other tasks' (docs/benchmarks.md, thirty-sixth round: 10 held GoEmotions and
# the satisfaction sources while the written corpus was learnt).
ANCHOR_LOSS_WEIGHT = 10.0
CHECKPOINT_FILE = "checkpoint.pt"
BEST_EPOCH_FOLDER = "best-epoch"  # the network of the best-scoring epoch, when a validator is set
SCORES_FILE = "validation.json"  # the run's fingerprint and its validation score per epoch, when a validator is set
RUN_FILE = "run.txt"  # in BEST_EPOCH_FOLDER: the fingerprint of the run whose epoch it is


@dataclass
class TrainingArguments:
    """Hyper-parameters of a fine-tuning run (defaults: the shipped model's recipe)."""

    output_dir: Path
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 1e-4
    encoder_learning_rate: float | None = None  # None: the encoder trains at learning_rate like the heads
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_length: int = 128
    dropout: float = 0.1
    seed: int = 13
    checkpoint_every: int = 200
    max_steps: int | None = None  # stop early (smoke tests); None = all epochs
    device: str | None = None  # None: CUDA when available (bf16 autocast there), else the CPU
    patience: int | None = None  # with a validation score: stop after this many epochs without improvement

    def __post_init__(self) -> None:
        self.output_dir = Path(self.output_dir)
        if self.epochs < 1:
            raise EmotraceError("E301", f"epochs={self.epochs}.", "Train for at least 1 epoch.")
        if self.batch_size < 1:
            raise EmotraceError("E302", f"batch_size={self.batch_size}.", "Use a batch size >= 1.")
        for rate in (self.learning_rate, self.encoder_learning_rate):
            if rate is not None and not 0 < rate < 1:
                raise EmotraceError("E303", f"learning rate {rate} is outside (0, 1).",
                                    "Did you mean 1e-4? Fine-tuning uses small rates.")
        if not 8 <= self.max_length <= 512:
            raise EmotraceError("E304", f"max_length={self.max_length}.", "Use 8..512 tokens.")
        for name in ("max_steps", "patience"):
            if (value := getattr(self, name)) is not None and value < 1:
                raise EmotraceError("E319", f"{name}={value}: no step would train (or no epoch would be waited for).",
                                    f"Pass --{name.replace('_', '-')} 1 or more, or leave it out.")


@dataclass
class TaskData:
    """One task's training rows: texts and targets (multi-hot, regression pairs or class ids)."""

    texts: list[str]
    targets: np.ndarray
    token_ids: list[list[int]] = field(default_factory=list)


def distill_loss(outputs: dict[str, torch.Tensor], targets: torch.Tensor) -> torch.Tensor:
    """Knowledge distillation: every head matches the teacher's reading of the same text in one pass.

    ``targets`` rows are :func:`emotrace.training.distill.teacher_targets`: emotion probabilities, then satisfaction
    probabilities (3), then valence and arousal (2)."""
    labels = outputs["emotion_logits"].shape[1]
    emotion = nn.functional.binary_cross_entropy_with_logits(outputs["emotion_logits"], targets[:, :labels])
    satisfaction = nn.functional.cross_entropy(outputs["satisfaction_logits"], targets[:, labels : labels + 3])
    affect = nn.functional.mse_loss(outputs["affect"], targets[:, labels + 3 :]) * 4.0
    return emotion + satisfaction + affect


def anchor_loss(pooled: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Feature distillation: the pooled text vectors held near the starting network's (``targets``), as a squared
    error relative to the targets' own size (:data:`ANCHOR_LOSS_WEIGHT` times it)."""
    return ANCHOR_LOSS_WEIGHT * nn.functional.mse_loss(pooled, targets) / targets.pow(2).mean()


def _loss(task: str, outputs: dict[str, torch.Tensor], targets: torch.Tensor) -> torch.Tensor:
    outputs = {name: value.float() for name, value in outputs.items()}
    if task == "distill":
        return distill_loss(outputs, targets)
    if task == "anchor":
        return anchor_loss(outputs["pooled"], targets)
    if task == "emotion":
        return nn.functional.binary_cross_entropy_with_logits(outputs["emotion_logits"], targets)
    if task == "affect":
        return nn.functional.mse_loss(outputs["affect"], targets) * 4.0
    if task == "intent":
        return nn.functional.binary_cross_entropy_with_logits(outputs["intent_logits"], targets)
    return nn.functional.cross_entropy(outputs["satisfaction_logits"], targets.long())


def _pad(rows: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


def best_epoch(scores: dict[str, float]) -> int:
    """The epoch (scores keyed by its number) with the best validation score; of epochs that tie, the latest (a small
    validation split scores 1.0 from the first epoch on: the first of the tie was the least trained)."""
    return max(int(epoch) for epoch, score in scores.items() if score == max(scores.values()))


def network_fingerprint(net: nn.Module) -> str:
    """A SHA-256 over a network's weights (each one's name, dtype, shape and values; ~0.2 s for MiniLM)."""
    digest = hashlib.sha256()
    for name, value in net.state_dict().items():
        tensor = value.detach().cpu().contiguous()
        digest.update(json.dumps([name, str(tensor.dtype), list(tensor.shape)]).encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


# The arguments that shape a run's steps: a checkpoint resumes only a run that agrees on them (and on its rows and
# the network it started from).
RUN_SHAPING_ARGUMENTS = ("epochs", "batch_size", "learning_rate", "encoder_learning_rate", "weight_decay",
                         "warmup_ratio", "max_length", "dropout", "seed")


class Trainer:
    """Fine-tunes an :class:`EmotionNet` on its tasks; ``train()`` resumes if it can."""

    def __init__(self, net: EmotionNet, tokenizer_path: str, tasks: dict[str, TaskData],
                 args: TrainingArguments, validate: Callable[[EmotionNet], float] | None = None) -> None:
        unknown = set(tasks) - set(TASKS)
        if unknown:
            raise EmotraceError("E305", f"Unknown task(s) {sorted(unknown)}.", f"Use {TASKS}.")
        self._start = network_fingerprint(net)  # before any step: what the run starts from is part of the run
        self.device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.net = net.to(self.device)
        self.args = args
        self.validate = validate
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
        self.tasks = tasks
        self._fingerprint: str | None = None
        for data in tasks.values():
            encoded = self.tokenizer([normalize_text(t) for t in data.texts], truncation=True,
                                     max_length=args.max_length)
            data.token_ids = encoded["input_ids"]

    def _epoch_plan(self, epoch: int) -> list[tuple[str, list[int]]]:
        rng = random.Random(self.args.seed * 1000 + epoch)
        plan: list[tuple[str, list[int]]] = []
        size = self.args.batch_size
        for task in sorted(self.tasks):
            lengths = [len(x) for x in self.tasks[task].token_ids]
            order = list(range(len(lengths)))
            rng.shuffle(order)
            pool = size * 50
            for start in range(0, len(order), pool):
                chunk = sorted(order[start : start + pool], key=lengths.__getitem__)
                plan += [(task, chunk[i : i + size]) for i in range(0, len(chunk), size)]
        rng.shuffle(plan)
        return plan

    def _parameter_groups(self) -> list[dict[str, object]]:
        """AdamW groups: weight decay on matrices only; the encoder at its own rate when one is set."""
        groups: dict[tuple[bool, bool], list[nn.Parameter]] = {}
        for name, parameter in self.net.named_parameters():
            decays = parameter.ndim > 1 and "LayerNorm" not in name
            groups.setdefault((name.startswith("encoder."), decays), []).append(parameter)
        encoder_rate = self.args.encoder_learning_rate or self.args.learning_rate
        return [{"params": params, "weight_decay": self.args.weight_decay if decays else 0.0,
                 "lr": encoder_rate if in_encoder else self.args.learning_rate}
                for (in_encoder, decays), params in groups.items()]

    def _checkpoint_path(self) -> Path:
        return self.args.output_dir / CHECKPOINT_FILE

    def train(self) -> EmotionNet:
        """Run (or resume) training; returns the trained network, also saved to ``output_dir/final``."""
        args = self.args
        args.output_dir.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(args.seed)
        steps_per_epoch = len(self._epoch_plan(0))
        total = steps_per_epoch * args.epochs
        if args.max_steps is not None:
            total = min(total, args.max_steps)
        optimizer = torch.optim.AdamW(self._parameter_groups(), lr=args.learning_rate)
        scheduler = get_linear_schedule_with_warmup(optimizer, int(total * args.warmup_ratio), total)
        step = self._resume(optimizer, scheduler)
        if step == 0:  # no checkpoint: what another run left beside it (scores, its best epoch) is not this run's
            self._scores_path().unlink(missing_ok=True)
            shutil.rmtree(args.output_dir / BEST_EPOCH_FOLDER, ignore_errors=True)
        if self._patience_exhausted():
            total = step
        (args.output_dir / "training_args.json").write_text(
            json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in asdict(args).items()}, indent=2)
        )
        pad_id = self.tokenizer.pad_token_id
        self.net.train()
        progress = tqdm(total=total, initial=step, desc="training", unit="step", dynamic_ncols=True)
        running: dict[str, float] = {}
        while step < total:
            epoch, offset = divmod(step, steps_per_epoch)
            for task, batch in self._epoch_plan(epoch)[offset:]:
                data = self.tasks[task]
                ids, mask = _pad([data.token_ids[i] for i in batch], pad_id)
                targets = torch.as_tensor(data.targets[batch]).to(self.device)
                with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.device.type == "cuda"):
                    outputs = self.net(ids.to(self.device), mask.to(self.device))
                loss = _loss(task, outputs, targets)
                loss.backward()
                nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                running[task] = 0.98 * running.get(task, loss.item()) + 0.02 * loss.item()
                progress.update(1)
                progress.set_postfix({k: f"{v:.3f}" for k, v in sorted(running.items())}, refresh=False)
                if step % args.checkpoint_every == 0 or step % steps_per_epoch == 0:
                    self._save_checkpoint(step, optimizer, scheduler)
                if step % steps_per_epoch == 0 and self._should_stop(step // steps_per_epoch):
                    total = step
                if step >= total:
                    break
        progress.close()
        self._save_checkpoint(step, optimizer, scheduler)
        self.net.eval()
        self.net.cpu()
        best = self._best_epoch()
        if best is not None:
            tqdm.write(f"keeping epoch {best} (best validation score)")
            self.net.load_state_dict(EmotionNet.from_directory(args.output_dir / BEST_EPOCH_FOLDER).state_dict())
        self.net.save(args.output_dir / "final")
        self.tokenizer.save_pretrained(args.output_dir / "final")
        return self.net

    def _scores_path(self) -> Path:
        return self.args.output_dir / SCORES_FILE

    def _scores(self) -> dict[str, float]:
        """This run's validation scores by epoch (none from a file that another run left, or that names no run)."""
        path = self._scores_path()
        if self.validate is None or not path.exists():
            return {}
        saved = json.loads(path.read_text())
        return dict(saved.get("scores", {})) if saved.get("run") == self.run_fingerprint() else {}

    def _should_stop(self, epoch: int) -> bool:
        """Score the epoch on validation (if a validator is set), keeping the network in :data:`BEST_EPOCH_FOLDER`
        when it scores best so far; True when patience has run out."""
        if self.validate is None:
            return False
        scores = self._scores()
        self.net.eval()
        scores[str(epoch)] = self.validate(self.net)
        self.net.train()
        if best_epoch(scores) == epoch:  # saved before the scores: a kill between leaves the better network kept
            with staged_folder(self.args.output_dir / BEST_EPOCH_FOLDER) as folder:
                self.net.save(folder)
                (folder / RUN_FILE).write_text(self.run_fingerprint())
        self._scores_path().write_text(json.dumps({"run": self.run_fingerprint(), "scores": scores}))
        tqdm.write(f"epoch {epoch}: validation {scores[str(epoch)]:.4f}")
        return self._patience_exhausted()

    def _patience_exhausted(self) -> bool:
        scores = self._scores()
        if self.args.patience is None or not scores:
            return False
        return max(int(e) for e in scores) - best_epoch(scores) >= self.args.patience

    def _best_epoch(self) -> int | None:
        """The best-scoring epoch of this run, when :data:`BEST_EPOCH_FOLDER` holds this run's network."""
        scores, marker = self._scores(), self.args.output_dir / BEST_EPOCH_FOLDER / RUN_FILE
        if not scores or not marker.is_file() or marker.read_text() != self.run_fingerprint():
            return None
        return best_epoch(scores)

    def run_fingerprint(self) -> str:
        """What makes a checkpoint (validation scores, best epoch) this run's: each task's rows (texts and targets),
        the :data:`RUN_SHAPING_ARGUMENTS` and the starting network's weights (a hash, computed once)."""
        if self._fingerprint is None:
            digest = hashlib.sha256(json.dumps({k: getattr(self.args, k) for k in RUN_SHAPING_ARGUMENTS}).encode())
            digest.update(self._start.encode())
            for task in sorted(self.tasks):
                digest.update(json.dumps([task, self.tasks[task].texts]).encode())
                digest.update(np.ascontiguousarray(self.tasks[task].targets, dtype=np.float32).tobytes())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def _save_checkpoint(self, step: int, optimizer: torch.optim.Optimizer,
                         scheduler: torch.optim.lr_scheduler.LRScheduler) -> None:
        tmp = self._checkpoint_path().with_suffix(".tmp")
        torch.save({"step": step, "model": self.net.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "torch_rng": torch.get_rng_state(),
                    "run": self.run_fingerprint()}, tmp)
        tmp.replace(self._checkpoint_path())  # atomic: a kill never leaves a torn checkpoint

    def _resume(self, optimizer: torch.optim.Optimizer,
                scheduler: torch.optim.lr_scheduler.LRScheduler) -> int:
        path = self._checkpoint_path()
        if not path.exists():
            return 0
        state = torch.load(path, weights_only=False, map_location=self.device)
        if state.get("run", self.run_fingerprint()) != self.run_fingerprint():  # checkpoints before 2026-12-06: none
            raise EmotraceError(
                "E309", f"{path} is the checkpoint of a run on other rows or settings (or from another starting network); "
                "resuming it would train (or package) that run's network under this one's name.",
                f"Train into a new --output folder, or delete {self.args.output_dir} to start over.")
        try:
            self.net.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise EmotraceError(
                "E309", f"{path} belongs to another network or training setup and cannot be resumed ({exc}).",
                f"Train into a new --output folder, or delete {self.args.output_dir} to start over.") from exc
        torch.set_rng_state(state["torch_rng"].cpu())
        tqdm.write(f"resuming from step {state['step']} ({path})")
        return int(state["step"])
