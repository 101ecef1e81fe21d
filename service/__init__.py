"""emotrace: emotion detection for customer experience.

The public names::

    import emotrace
    clf = emotrace.EmotionClassifier.from_pretrained()   # the shipped model
    readings: list[emotrace.Reading] = clf.predict(["Thank you so much!"])

The repository folders map onto one installed package: ``service/`` is ``emotrace`` (the runtime:
``emotrace.api``, ``emotrace.model``, ``emotrace.scoring``, ...), ``training/`` is ``emotrace.training`` and
``evaluation/`` is ``emotrace.evaluation``. The classifier is imported on first use, so ``import emotrace``
stays light (the CLI's ``--help`` does not load onnxruntime or transformers).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from emotrace.errors import EmotraceError
from emotrace.model.reading import Reading

if TYPE_CHECKING:
    from emotrace.model.classifier import EmotionClassifier

try:
    __version__ = version("emotrace")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["EmotionClassifier", "EmotraceError", "Reading", "__version__"]


def __getattr__(name: str) -> object:
    """Import the classifier (onnxruntime, transformers) only when it is asked for."""
    if name == "EmotionClassifier":
        from emotrace.model.classifier import EmotionClassifier

        return EmotionClassifier
    raise AttributeError(f"module 'emotrace' has no attribute {name!r}")
