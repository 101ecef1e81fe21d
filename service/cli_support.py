"""What every command of the ``emotrace`` command line shares: errors reported as one line, never a traceback; the
command line of a run, as recorded in what it writes."""

from __future__ import annotations

import contextlib
import functools
import json
import shlex
import signal
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import typer

from emotrace.errors import EmotraceError

F = TypeVar("F", bound=Callable[..., Any])
EncodingOption = Annotated[str, typer.Option(help="Encoding of a CSV/JSONL input (e.g. latin-1, cp1252).")]


def friendly_errors(command: F) -> F:
    """Report :class:`EmotraceError` as one line on stderr with exit code 2, never a traceback; a command run with
    ``--json`` also prints it on stdout as ``{"error": {"code", "problem", "fix"}}``, for scripts that read stdout."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EmotraceError as exc:
            if kwargs.get("as_json"):
                typer.echo(json.dumps({"error": {"code": exc.code, "problem": exc.problem, "fix": exc.fix}}, indent=2))
            exit_with(exc)

    return wrapper  # type: ignore[return-value]


def exit_with(error: EmotraceError) -> NoReturn:
    """``error`` as one line on stderr, then exit code 2."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2) from None


def given_options(ctx: typer.Context) -> list[tuple[Any, object]]:
    """The options of this command given a value other than their default, in declaration order: each option's
    parameter (typer's own click, which exports no type for it) and its value."""
    found = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.param_type_name == "option" and value is not None and _plain(value) != _plain(param.default):
            found.append((param, value))
    return found


def command_line(ctx: typer.Context) -> str:
    """This command as a user would type it for the same run: its name and every option given a value other than
    its default (recorded in model cards; the same whether it ran as a script or in-process), a URL's password
    shown as ``***`` (model folders are copied and shared)."""
    words = ["emotrace", *ctx.command_path.split()[1:]]
    for param, value in given_options(ctx):
        if getattr(param, "is_flag", False):
            words.append(param.opts[0] if value else param.secondary_opts[0])
        else:
            words += [param.opts[0], without_password(str(_plain(value)))]
    return shlex.join(words)


def without_password(value: str) -> str:
    """``value`` with the password of a URL in it (``scheme://user:password@host/...``) written ``***``."""
    parts = urlsplit(value) if "://" in value else None
    if parts is None or "@" not in parts.netloc or ":" not in parts.netloc.rpartition("@")[0]:
        return value
    user_info, _, host = parts.netloc.rpartition("@")
    return parts._replace(netloc=f"{user_info.partition(':')[0]}:***@{host}").geturl()


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else str(value) if isinstance(value, Path) else value


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler or service manager stopping the job), raised where Ctrl-C's KeyboardInterrupt is."""


@contextlib.contextmanager
def terminated_as_interrupted() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated`, so a job stopped by ``kill`` ends as one stopped by
    Ctrl-C does (its finished work kept, and said); the previous handler is restored after."""
    def stop(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
