"""The package installs from a built wheel with the shipped model inside it: no source checkout needed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODEL = "emotrace/models/emotrace-minilm-v1"


def test_the_shipped_model_loads_from_a_built_wheel(tmp_path: Path) -> None:
    # built from a copy: setuptools' build/ folder in the checkout keeps files since deleted (a stale labels.json)
    source = shutil.copytree(REPO, tmp_path / "source", ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "runs", "*.egg-info", "__pycache__", ".*_cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir",
                    str(tmp_path / "dist"), str(source)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("emotrace-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"{MODEL}/model.onnx", f"{MODEL}/emotrace.json", f"{MODEL}/tokenizer.json", f"{MODEL}/MODEL_CARD.md"} <= names
    assert not {f"{MODEL}/labels.json", f"{MODEL}/thresholds.json", f"{MODEL}/heads.json", f"{MODEL}/metrics.json"} & names
    assert f"{MODEL}/model.safetensors" not in names  # training rebuilds them from model.onnx
    assert {"emotrace/demo_data.json", "emotrace/demo_bank.json"} <= names  # `serve --demo` from a wheel
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    read = ("import emotrace; from emotrace import EmotionClassifier\n"
            "reading = EmotionClassifier.from_pretrained().predict(['Thank you so much, you fixed it!'])[0]\n"
            "print(emotrace.__file__); print(reading.labels)")
    # the wheel's copy comes first on the path, ahead of the source tree's editable install
    result = subprocess.run([sys.executable, "-c", read], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(site)})
    assert result.returncode == 0, result.stderr[-3000:]
    module_file, labels = result.stdout.splitlines()[-2:]
    assert module_file.startswith(str(site)) and "gratitude" in labels
