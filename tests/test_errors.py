"""The error registry: every code raised is defined once, every code defined is raised, retired codes are raised
nowhere, and docs/errors.md is the registry's own rendering."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from emotrace.errors import ERRORS, RETIRED, EmotraceError, errors_markdown

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for folder in ("service", "training", "evaluation") for p in (ROOT / folder).rglob("*.py")]


def used_codes() -> dict[str, list[str]]:
    """Every code written as a string in the sources outside the registry (raise sites and the HTTP layer's
    tables), with where."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        if path.name == "errors.py" and path.parent.name == "service":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"E\d{3}", node.value):
                found.setdefault(node.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_used_code_is_registered_and_every_registered_code_is_used() -> None:
    used = used_codes()
    assert {code: where for code, where in used.items() if code not in ERRORS} == {}
    assert sorted(set(ERRORS) - set(used)) == []
    assert {code: where for code, where in used.items() if code in RETIRED} == {}


def test_no_code_is_defined_twice_in_the_registry_source() -> None:
    tree = ast.parse((ROOT / "service" / "errors.py").read_text(encoding="utf-8"))
    (registry,) = [node.value for node in tree.body if isinstance(node, ast.AnnAssign)
                   and isinstance(node.target, ast.Name) and node.target.id == "ERRORS"]
    assert isinstance(registry, ast.Dict)
    keys = [k.value for k in registry.keys if isinstance(k, ast.Constant)]
    assert len(keys) == len(set(keys)) == len(ERRORS)


def test_every_status_is_an_error_status_and_every_entry_says_how_to_fix_it() -> None:
    for code, kind in ERRORS.items():
        assert 400 <= kind.status < 600 and kind.title and kind.fix, code


def test_docs_errors_md_is_the_registry_rendered() -> None:
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == errors_markdown()


def test_an_unregistered_code_cannot_be_raised_by_mistake() -> None:
    for fix in (None, "a fix"):
        with pytest.raises(KeyError):
            EmotraceError("E999", "no such code", fix)


def test_the_cli_says_what_a_code_means_and_renders_the_table() -> None:
    """``emotrace errors E520`` answers a user holding a code; ``emotrace errors`` writes docs/errors.md (``python -m
    emotrace.errors`` did, with a runpy warning, as the package imports the registry first)."""
    from tests.test_cli import run

    one = run("errors", "e520")
    kind = ERRORS["E520"]
    assert one.returncode == 0 and one.stdout == f"E520 {kind.title} (HTTP {kind.status})\n{kind.fix}\n", one.stdout
    assert run("errors").stdout == errors_markdown()
    unknown = run("errors", "E999")
    assert unknown.returncode == 2 and "E999 is not an emotrace error code" in unknown.stderr, unknown.stderr
    assert run("errors", "E020").stdout == f"E020 retired: {RETIRED['E020']}\n"  # what answers it now
