"""The shipped recipe's stage 2 and 3 arguments, derived from stage 1's."""

from __future__ import annotations

from pathlib import Path

from emotrace.training.recipe import multitask_arguments, recipe_summary, refine_arguments
from emotrace.training.trainer import TrainingArguments


def test_stages_keep_stage_one_settings_and_run_in_their_own_folders(tmp_path: Path) -> None:
    stage1 = TrainingArguments(output_dir=tmp_path / "run", epochs=3, batch_size=16, seed=7, max_steps=50,
                               learning_rate=2e-4)
    stage2, stage3 = multitask_arguments(stage1), refine_arguments(stage1)
    assert (stage2.output_dir, stage3.output_dir) == (tmp_path / "run" / "multitask", tmp_path / "run" / "refine")
    assert stage2.epochs == stage3.epochs == 1
    for stage in (stage2, stage3):  # what the user chose for the run carries over
        assert (stage.batch_size, stage.seed, stage.max_steps) == (16, 7, 50)
    # the shipped recipe's rates (module docstring, docs/architecture.md): heads 3e-4 in stages 2 and 3, whatever
    # stage 1 used; the encoder at 3e-5 in stage 2, 1e-5 in stage 3
    assert (stage2.learning_rate, stage2.encoder_learning_rate) == (3e-4, 3e-5)
    assert (stage3.learning_rate, stage3.encoder_learning_rate) == (3e-4, 1e-5)
    summary = recipe_summary(stage1)
    assert "Stage 1: 3 epochs" in summary and "batch 16" in summary and "AdamW lr 0.0002" in summary
    assert "heads at lr 0.0003, encoder at 3e-05. Stage 3: 1 epoch" in summary
    assert "heads at lr 0.0003, encoder at 1e-05." in summary
