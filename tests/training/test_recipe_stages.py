"""The shipped recipe's stage 2 and 3 arguments, derived from stage 1's."""

from __future__ import annotations

from pathlib import Path

from emotrace.training.recipe import multitask_arguments, recipe_steps, refine_arguments
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
    steps = recipe_steps(stage1)
    assert len(set(steps)) == len(steps) == 4
    assert steps[0].startswith("Stage 1: 3 epochs") and "batch 16" in steps[0] and "AdamW lr 0.0002" in steps[0]
    assert steps[1].endswith("heads at lr 0.0003, encoder at 3e-05.") and steps[2].startswith("Stage 3: 1 epoch")
    assert steps[2].endswith("heads at lr 0.0003, encoder at 1e-05.")


def test_of_epochs_that_tie_on_validation_the_latest_is_kept() -> None:
    """Found by a new-user trial: a small validation split scored 1.0 after each of three epochs and the first, the
    least trained, was kept."""
    from emotrace.training.trainer import best_epoch

    assert best_epoch({"1": 1.0, "2": 1.0, "3": 1.0}) == 3
    assert best_epoch({"1": 0.6, "2": 0.8, "3": 0.7}) == 2
    assert best_epoch({"1": 0.8, "2": 0.7, "3": 0.8, "4": 0.75}) == 3
