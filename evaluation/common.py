"""Helpers shared by the benchmark scripts: where things are, and printing figures."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.settings import get_settings
from emotrace.training.data import read_goemotions_tsv


def goemotions_dev(data_root: Path | None = None) -> LabelledTexts:
    """The GoEmotions dev split (the tuning set; the test split is held back)."""
    root = data_root or get_settings().data_root
    return read_goemotions_tsv(root / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS)


def print_figures(title: str, figures: Mapping[str, object]) -> None:
    """Print a titled block of figures, then the same as one JSON line (for scripts)."""
    print(f"== {title}")
    for key, value in figures.items():
        print(f"  {key:<34} {value:.4f}" if isinstance(value, float) else f"  {key:<34} {value}")
    print(json.dumps({"benchmark": title, **figures}))


@contextmanager
def fresh_postgres_database(admin_url: str, prefix: str = "emotrace") -> Iterator[str]:
    """A uniquely named, empty PostgreSQL database on the server of ``admin_url``: its URL; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
