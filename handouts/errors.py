"""Every problem the tool reports, and where it is.

A problem carries its place as fields (file, line, column, field), never
inside its message text, so every caller (the command line, ``--json``, the
check's report, a future web page) can show or sort it without parsing.
Errors are exceptions; warnings and notes are not, so ``except DataError``
never swallows a warning. One attribute, ``severity``, says which is which.

Errors subclass ``click.ClickException`` so the command line prints them the
same way everywhere (one line per problem, exit status 1), never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import click

Severity = Literal["error", "warning", "note"]


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


class Located:
    """A message and the place it is about."""

    severity: Severity = "error"

    def _locate(self, detail: str, file: str | os.PathLike[str] | None, line: int | None,
                column: int | None, field: str | None) -> None:
        self.detail = detail
        self.file = display_path(file) if file is not None else None
        self.line = line
        self.column = column
        self.field = field

    @property
    def where(self) -> str:
        """``file:line: field: `` (whatever is known), for the one-line form."""
        out = ""
        if self.file:
            out = self.file + (f":{self.line}" if self.line else "") + ": "
        if self.field:
            out += f"{self.field}: "
        return out

    def formatted(self) -> str:
        return self.where + self.detail

    def show(self, file: object = None) -> None:
        click.echo(f"{self.severity}: {self.formatted()}", err=True)

    def to_json(self) -> dict[str, object]:
        return {"severity": self.severity, "file": self.file, "line": self.line,
                "column": self.column, "field": self.field, "message": self.detail}

    def __reduce__(self) -> tuple[object, ...]:
        # Sent whole from a worker process: made again from its fields, as an
        # exception's own pickling would call __init__ with its message alone.
        return _rebuilt, (type(self), self.__dict__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.formatted()!r})"


class HandoutError(Located, click.ClickException):
    """A problem with something the user gave us, located as precisely as we can."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | os.PathLike[str] | None = None,
                 line: int | None = None, field: str | None = None,
                 column: int | None = None) -> None:
        self._locate(message, file, line, column, field)
        click.ClickException.__init__(self, self.formatted())

    def format_message(self) -> str:
        return self.message


class DataError(HandoutError):
    """A data, shared-content or brand file is malformed or invalid."""


class TemplateError(HandoutError):
    """A template failed to load or render, or printed markup that is wrong.

    For a template, ``file`` and ``line`` are the template's.
    """


class MarkupError(TemplateError):
    """Wrong block markup, found where the template's output says.

    ``output_line`` is the line of the template's output; the template line
    that printed it is found afterwards (``handouts.templating.Templates.locate``).
    """

    def __init__(self, message: str, *, output_line: int, file: str | None = None,
                 line: int | None = None, tag: str | None = None) -> None:
        self.output_line = output_line
        self.tag = tag  # the tag the mistake is in, to find its template line
        super().__init__(message, file=file, line=line)


class RenderError(HandoutError):
    """The PDF could not be produced (font coverage, images, writing the file)."""


class OutlineError(RenderError):
    """A body-map SVG file uses something the reader does not support."""


class BuildFailure(HandoutError):
    """A failure reported by a worker process, rebuilt from its parts."""


class ErrorList(HandoutError):
    """Several problems found together, e.g. every problem in one file."""

    def __init__(self, errors: Iterable[HandoutError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else None
        self._locate("\n".join(e.formatted() for e in self.errors),
                     first.file if first else None, first.line if first else None, None, None)
        self.file = first.file if first else None  # already shown as the user typed it
        click.ClickException.__init__(self, self.detail)

    def formatted(self) -> str:
        return self.detail

    def show(self, file: object = None) -> None:
        for e in self.errors:
            e.show(file)


class Notice(Located):
    """Worth telling the user, but nothing stops: a warning or a note. Not an exception."""

    def __init__(self, message: str, *, file: str | os.PathLike[str] | None = None,
                 line: int | None = None, field: str | None = None,
                 column: int | None = None, severity: Severity = "warning") -> None:
        self._locate(message, file, line, column, field)
        self.severity = severity
        self.message = self.formatted()

    def as_error(self) -> DataError:
        """The same problem as an error, for ``--strict``."""
        return DataError(self.detail, file=self.file, line=self.line, field=self.field,
                         column=self.column)


class DataWarning(Notice):
    """A problem in the data that still lets the handout be built (a missing translation)."""


def _rebuilt(kind: type[Located], fields: dict[str, object]) -> Located:
    problem = kind.__new__(kind)
    problem.__dict__.update(fields)
    if isinstance(problem, BaseException):
        problem.args = (problem.formatted(),)
    return problem


def flatten(problems: Iterable[Located]) -> list[Located]:
    """One entry per problem: a broken file's problems come bundled in an ErrorList."""
    out: list[Located] = []
    for p in problems:
        out += flatten(p.errors) if isinstance(p, ErrorList) else [p]
    return out
