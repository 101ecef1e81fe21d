"""Settings read from the environment under the names the docs and issues give."""

from pathlib import Path

import pytest

from emotrace.settings import Settings


@pytest.mark.parametrize("name", ["EMOTRACE_MODEL_DIR", "EMOTRACE_MODEL"])
def test_the_model_directory_is_read_from_either_name(name: str, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.delenv("EMOTRACE_MODEL_DIR", raising=False)
    monkeypatch.delenv("EMOTRACE_MODEL", raising=False)
    monkeypatch.setenv(name, str(tmp_path))
    assert Settings().model_dir == tmp_path


def test_the_model_directory_is_still_set_by_keyword(tmp_path: Path) -> None:
    assert Settings(model_dir=tmp_path).model_dir == tmp_path
