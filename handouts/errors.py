"""The one exception family: every user-facing problem carries file, line and field.

They subclass ``click.ClickException`` so the CLI prints them the same way
everywhere (one line per problem, exit status 1) and never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import click


def display_path(path: str | os.PathLike[str] | None) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    if path is None:
        return ""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def os_reason(exc: OSError) -> str:
    """Why an operating-system call failed, in words ("No space left on device")."""
    if exc.strerror:
        return exc.strerror
    # OSError(errno.ENOSPC), made by code rather than the system, has only the number.
    code = exc.errno if exc.errno is not None else next(iter(exc.args), None)
    if isinstance(code, int) and code > 0:
        return os.strerror(code)
    return str(exc) or type(exc).__name__


class HandoutError(click.ClickException):
    """A problem with something the user gave us, located as precisely as we can."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | os.PathLike[str] | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = display_path(file) if file is not None else None
        self.line = line
        self.field = field
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        if self.field:
            where += f"{self.field}: "
        return where + self.detail

    def format_message(self) -> str:
        return self.message

    label = "error"

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"{self.label}: {self.format_message()}", err=True)


class DataError(HandoutError):
    """A data, shared-content or brand file is malformed or invalid."""


class DataWarning(DataError):
    """Worth telling the user, but the handout is still built (e.g. a missing translation)."""

    label = "warning"


class TemplateError(HandoutError):
    """A template failed to load or render, or produced invalid markup."""


class RenderError(HandoutError):
    """The PDF could not be produced (font coverage, images, writing the file)."""


class ErrorList(HandoutError):
    """Several problems found together, e.g. every problem in one file."""

    def __init__(self, errors: Iterable[HandoutError]) -> None:
        self.errors = list(errors)
        click.ClickException.__init__(self, "\n".join(e.message for e in self.errors))
        self.file = self.errors[0].file if self.errors else None
        self.line = self.errors[0].line if self.errors else None
        self.field = None
        self.detail = self.message

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        for e in self.errors:
            e.show(file)
