"""Where the shipped model and the shared data live by default (a leaf: importing it loads nothing heavy)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "emotrace-minilm-v1"
DEFAULT_DATA_ROOT = REPO_ROOT.parent / "shared" / "data"
CORPUS_DIR = REPO_ROOT / "data" / "customer_service"  # the written customer-service corpus (source checkouts only)
