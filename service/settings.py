"""All configuration, from ``EMOTRACE_*`` environment variables (the only place that reads them)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from service.model.classifier import DEFAULT_MODEL_DIR

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``EMOTRACE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="EMOTRACE_", extra="ignore")

    model_dir: Path = DEFAULT_MODEL_DIR
    data_root: Path = REPO_ROOT.parent / "shared" / "data"
    threads: int | None = None  # ONNX Runtime intra-op threads; None = all cores (max 8)
    batch_size: int = 64


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
