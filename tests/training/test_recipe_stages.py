"""The shipped recipe's stage 2 and 3 arguments, derived from stage 1's."""

from __future__ import annotations

from pathlib import Path

from emotrace.training.recipe import (
    MULTITASK_ENCODER_LEARNING_RATE,
    MULTITASK_HEAD_LEARNING_RATE,
    REFINE_ENCODER_LEARNING_RATE,
    multitask_arguments,
    recipe_steps,
    refine_arguments,
)
from emotrace.training.trainer import TrainingArguments


def test_stages_keep_stage_one_settings_and_run_in_their_own_folders(tmp_path: Path) -> None:
    stage1 = TrainingArguments(output_dir=tmp_path / "run", epochs=3, batch_size=16, seed=7, max_steps=50)
    stage2, stage3 = multitask_arguments(stage1), refine_arguments(stage1)
    assert (stage2.output_dir, stage3.output_dir) == (tmp_path / "run" / "multitask", tmp_path / "run" / "refine")
    assert stage2.epochs == stage3.epochs == 1
    for stage in (stage2, stage3):  # what the user chose for the run carries over
        assert (stage.batch_size, stage.seed, stage.max_steps) == (16, 7, 50)
        assert stage.learning_rate == MULTITASK_HEAD_LEARNING_RATE
    assert stage2.encoder_learning_rate == MULTITASK_ENCODER_LEARNING_RATE
    assert stage3.encoder_learning_rate == REFINE_ENCODER_LEARNING_RATE < MULTITASK_ENCODER_LEARNING_RATE
    steps = recipe_steps(stage1)
    assert steps[0].startswith("Stage 1: 3 epochs") and "batch 16" in steps[0]
    assert f"encoder at {REFINE_ENCODER_LEARNING_RATE:g}" in steps[2] and len(set(steps)) == len(steps) == 4
