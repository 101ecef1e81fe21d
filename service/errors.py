"""User-facing errors: each carries a code, says what is wrong and how to fix it."""

from __future__ import annotations


class EmotraceError(Exception):
    """An error caused by input or configuration, reported to the user without a traceback."""

    def __init__(self, code: str, problem: str, fix: str) -> None:
        self.code = code
        self.problem = problem
        self.fix = fix
        super().__init__(f"[{code}] {problem} {fix}")
