"""jinja2 set-up: sandboxed, autoescaped, strict, with a user-first search path.

Templates produce block markup (see ``handouts.markup``); this module only
finds and renders them and turns jinja2's failures into TemplateErrors that
name the template file and line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import threading
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext
from jinja2.sandbox import SandboxedEnvironment

from handouts.brand import DEFAULT_BRAND, Brand
from handouts.cache import cache_folder
from handouts.errors import HandoutError, MarkupError, TemplateError, os_reason
from handouts.i18n import Catalogue
from handouts.languages import long_date, when
from handouts.markup import HANDOUT, MARK, Block, Setting, check_blocks, parse
from handouts.models import Library, Muscle, Personal, Shared, Signs
from handouts.resources import TEMPLATE_SUFFIX, builtin_templates_dir, template_search_path

SUFFIX = TEMPLATE_SUFFIX
# Longest a template's output may be. A runaway loop shows up as huge output
# long before it exhausts memory; real handouts are a few tens of kB.
MAX_OUTPUT_CHARS = 2_000_000
# Longest a template may take to render. Real handouts take milliseconds; this
# stops a loop that prints nothing, which the output limit never sees.
MAX_RENDER_SECONDS = 2.0
# ``**`` results above this many bits are refused (10 ** 10 ** 10 would run for ever).
MAX_POWER_BITS = 4096
_DESCRIPTION = re.compile(r"\{#-?\s*description:\s*(.*?)\s*-?#\}", re.S)


@jinja2.pass_context
def _long_date(context: jinja2.runtime.Context, d: dt.date) -> str:
    return long_date(d, context.get("lang", "en"))


@jinja2.pass_context
def _when(context: jinja2.runtime.Context, moment: dt.date | dt.datetime) -> str:
    return when(moment, context.get("lang", "en"))


def _site(url: str) -> str:
    """The site of a web address, as a reader would type it: "medlineplus.gov".

    A whole address broken over two lines of a narrow column cannot be typed
    from paper; the site and the title beside it are enough to find the page,
    and the link in the PDF carries the whole address."""
    host = urllib.parse.urlsplit(url).hostname or url
    return host.removeprefix("www.")


@jinja2.pass_context
def _region_labels(context: jinja2.runtime.Context, ids: Sequence[str]) -> str:
    labels = context["regions"]
    return ", ".join(labels[i] for i in ids)


def shared_for(shared: Shared, brand: Brand) -> Shared:
    """Shared content with the clinic's own disclaimer, first aid and help line."""
    o = brand.overrides
    if not (o.disclaimer or o.first_aid or o.help_line):
        return shared
    return replace(
        shared,
        disclaimer=o.disclaimer or shared.disclaimer,
        first_aid=o.first_aid.over(shared.first_aid),
        call_line=o.help_line or shared.call_line,
    )


# The fixed heading and call to action of each urgency level: the same words on
# every handout (catalogue keys), so no warning sign carries its own.
URGENCY_HEADINGS = {
    "emergency": "Call {number} or go to the emergency room now if:",
    "same_day": "See a doctor or go to urgent care today if:",
    "soon": "Book a visit with your doctor within a few days if:",
}


def template_context(
    library: Library,
    muscle: Muscle,
    brand: Brand = DEFAULT_BRAND,
    personal: Personal | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """What a template sees: models only, never raw YAML."""
    cat = catalogue or Catalogue("en")
    shared = shared_for(library.shared, brand)
    number = brand.emergency_number

    def gettext(text: str, **values: Any) -> str:
        # Every translated text may name the emergency number as {number}.
        found = cat.gettext(text)
        if values or "{number}" in found:
            return found.format(number=number, **values)
        return found

    def urgency_heading(level: str) -> str:
        return gettext(URGENCY_HEADINGS[level])

    return {
        "_": gettext,
        "lang": cat.lang,
        "muscle": muscle,
        "related": library.related(muscle),
        "regions": {rid: r.label for rid, r in library.regions.items()},
        "shared": shared,
        # Chosen for the muscle's body part and its body region.
        "first_aid": shared.first_aid_for(muscle),
        "first_aid_kind": shared.first_aid_kind(muscle),
        "grades": shared.grades_for(muscle),
        "signs": shared.signs_for(muscle),
        "urgency_heading": urgency_heading,
        "emergency_number": number,
        "brand": brand,
        "personal": personal or Personal(),
        # Set by the renderer for templates that must fit a page count.
        "limit": None,
        "tight": 0,
        # True when the handout is part of a booklet (whose cover has the patient box).
        "booklet": False,
        # In a booklet: the signs printed once for all its muscles.
        "printed_once": Signs([], [], []),
    }


def booklet_context(library: Library, muscles: Sequence[Muscle], title: str,
                    brand: Brand = DEFAULT_BRAND, personal: Personal | None = None,
                    catalogue: Catalogue | None = None) -> dict[str, Any]:
    """What the booklet's cover template sees: its muscles, and what it prints once
    for all of them (each body part's first aid, the strain grades, shared signs)."""
    shared = shared_for(library.shared, brand)
    kinds = dict.fromkeys(shared.first_aid_kind(m) for m in muscles)
    return {
        **template_context(library, muscles[0], brand, personal, catalogue),
        "title": title,
        "muscles": list(muscles),
        "first_aids": [(k, getattr(shared.first_aid, k)) for k in kinds],
        "grades": shared.grades_for_all(muscles),
        "signs_once": shared.signs_for_all(muscles),
    }


class _Sandbox(SandboxedEnvironment):
    """The jinja2 sandbox, also refusing ``*`` and ``**`` results that would be huge.

    ``'-' * 10 ** 9`` builds its value in one step, before the output limit can
    look at it, and jinja2 would even work it out while compiling the template.
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        def whole(x: Any) -> bool:
            return isinstance(x, int) and not isinstance(x, bool)

        if operator == "**" and whole(left) and whole(right):
            if right > 0 and abs(left).bit_length() * right > MAX_POWER_BITS:
                raise jinja2.exceptions.SecurityError(
                    f"{left} ** {right} is too large a number for a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (isinstance(seq, (str, list, tuple)) and whole(n)
                        and len(seq) * n > MAX_OUTPUT_CHARS):
                    raise jinja2.exceptions.SecurityError(
                        f"repeating a value {n} times makes it longer than "
                        f"{MAX_OUTPUT_CHARS} characters")
        return super().call_binop(context, operator, left, right)


class _Loader(jinja2.FileSystemLoader):
    """Finds templates like jinja2's loader, and says clearly which file cannot be read."""

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str | None, Any]:
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise
        except (OSError, UnicodeDecodeError) as exc:
            path = next((Path(d) / template for d in self.searchpath
                         if (Path(d) / template).is_file()), None)
            if path is not None and isinstance(exc, UnicodeDecodeError):
                read_source(path)  # raises the error with the line of the bad byte
            reason = "not valid UTF-8 text; save the file as UTF-8" if isinstance(
                exc, UnicodeDecodeError) else f"cannot read the template: {os_reason(exc)}"
            raise TemplateError(reason, file=path or template) from None


def read_source(path: Path) -> str:
    """A template file's text, or a TemplateError that names the file (and line)."""
    from handouts.yamlfile import read_text

    try:
        return read_text(path, what="template")
    except HandoutError as exc:
        raise TemplateError(exc.detail, file=path, line=exc.line) from None


class _TooSlow(Exception):
    """Raised by the timer when a template takes longer than MAX_RENDER_SECONDS."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the code inside after ``seconds``, with :class:`_TooSlow`.

    A timer signal is the only way to stop a tight loop in a template's own
    code. It needs the main thread of a Unix process (as in the command line and
    its worker processes) and no timer already running; elsewhere only the
    output and range limits apply.
    """
    if (not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        # It fires again every quarter second, in case code in between swallows it.
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


# The cover and contents of a booklet: never chosen by name, so not listed.
BOOKLET_TEMPLATE = "_booklet.html.j2"
# A clinic's template may extend the built-in one of the same name as
# "builtin/NAME.html.j2" (pelican's "!simple/" idea), without extending itself.
BUILTIN_PREFIX = "builtin"


class _LineMarks(jinja2.ext.Extension):
    """Marks each line of a template's text with its file and line, in the output.

    Used only to find where a mistake came from: the template is rendered a
    second time through an environment with this extension, and the markup
    parser reads the marks (``<?at FILE:LINE?>``) as it goes, so an error in
    the output names the template line that printed it, through extends,
    blocks and includes. Marks go only at the start of lines outside jinja2's
    tags and outside markup tags, so they change no line of the output.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return mark_lines(source, filename or name or "")


_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}


def mark_lines(source: str, file: str) -> str:
    """``source`` with a line mark at the start of each line that prints markup."""
    out: list[str] = []
    jinja: str | None = None  # the opening of the jinja2 tag we are inside
    quote: str | None = None  # inside a string in that tag
    in_tag = False  # inside a markup tag's < ... >
    for n, line in enumerate(source.splitlines(keepends=True), start=1):
        lead = line.lstrip()
        # A line that starts with a statement or comment prints nothing itself, and
        # a mark before it would stop lstrip_blocks from removing its indent.
        if jinja is None and not in_tag and lead.strip() and not lead.startswith(("{%", "{#")):
            out.append(f"<?{MARK} {file}:{n}?>")
        out.append(line)
        i = 0
        while i < len(line):
            two = line[i:i + 2]
            if jinja is None:
                if two in _CLOSE:
                    jinja = two
                    i += 2
                    continue
                if line[i] == "<":
                    in_tag = True
                elif line[i] == ">":
                    in_tag = False
            elif quote is not None:
                if line[i] == quote:
                    quote = None
            elif jinja != "{#" and line[i] in "'\"":
                quote = line[i]
            elif two == _CLOSE[jinja]:
                jinja = None
                i += 2
                continue
            i += 1
    return "".join(out)


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs; a cache that cannot be read or
    written only costs the compiling."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiling the templates is a quarter of a single build's time, so the
    compiled code is kept in the user's cache folder (templates hold no
    patient details). jinja2 checks each against its template's source and
    its own version, so an edited template is compiled again.
    ``HANDOUTS_CACHE=off`` turns it off."""
    folder = cache_folder("templates")
    return _QuietBytecodeCache(str(folder)) if folder is not None else None


class Templates:
    """A template search path, the environment that renders from it, and the locator
    that says which template line printed a mistake."""

    def __init__(self, user_dirs: Sequence[Path] = ()) -> None:
        for d in user_dirs:
            if not Path(d).is_dir():
                raise TemplateError("template folder not found", file=d)
        self.dirs = template_search_path(user_dirs)
        self._search = _Loader([str(d) for d in self.dirs])
        self._loader = jinja2.ChoiceLoader([
            self._search,
            jinja2.PrefixLoader({BUILTIN_PREFIX: _Loader([str(builtin_templates_dir())])}),
        ])
        self.env = self._environment()
        self._marked: jinja2.Environment | None = None  # made at the first mistake

    def _environment(self, *extensions: type[jinja2.ext.Extension]) -> jinja2.Environment:
        env = _Sandbox(
            loader=self._loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            extensions=extensions,
            # Marked templates compile to other code from the same source.
            bytecode_cache=None if extensions else _bytecode_cache(),
        )
        env.filters["longdate"] = _long_date
        env.filters["when"] = _when
        env.filters["regions"] = _region_labels
        env.filters["site"] = _site
        return env

    def resolve(self, name: str) -> str:
        """A template NAME (``full``) or a path to a file -> the loader's template name."""
        if name.startswith(BUILTIN_PREFIX + "/"):
            return name if name.endswith(SUFFIX) else name + SUFFIX
        if os.sep in name or "/" in name or name.endswith(SUFFIX):
            path = Path(name)
            if path.is_file():
                # A template given by path is searched first, beside the user's folders.
                parent = str(path.resolve().parent)
                if parent not in self._search.searchpath:
                    self._search.searchpath.insert(0, parent)
                return path.name
            if "/" in name or os.sep in name:
                raise TemplateError("template file not found", file=path)
        return name if name.endswith(SUFFIX) else name + SUFFIX

    def source_file(self, template_name: str) -> Path | None:
        prefix = BUILTIN_PREFIX + "/"
        if template_name.startswith(prefix):
            p = builtin_templates_dir() / template_name[len(prefix):]
            return p if p.is_file() else None
        for d in self._search.searchpath:
            p = Path(d) / template_name
            if p.is_file():
                return p
        return None

    def available(self) -> list[tuple[str, Path, str]]:
        """(name, file, one-line description) of every template a build can use."""
        seen: dict[str, tuple[str, Path, str]] = {}
        for d in self.dirs:
            for p in sorted(Path(d).glob("*" + SUFFIX)):
                name = p.name[: -len(SUFFIX)]
                if name.startswith("_") or name in seen:
                    continue
                try:
                    m = _DESCRIPTION.search(p.read_text(encoding="utf-8", errors="replace")[:2000])
                except OSError:
                    m = None  # building with it says why it cannot be read
                seen[name] = (name, p, m.group(1) if m else "")
        return sorted(seen.values())

    def load(self, name: str, env: jinja2.Environment | None = None) -> jinja2.Template:
        tname = self.resolve(name)
        try:
            return (env or self.env).get_template(tname)
        except jinja2.TemplateNotFound as exc:
            names = ", ".join(n for n, _, _ in self.available())
            missing = exc.name if exc.name != tname else name
            raise TemplateError(f"template '{missing}' not found (available: {names})") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"template syntax error: {exc.message}",
                file=exc.filename or self.source_file(tname),
                line=exc.lineno,
            ) from None

    def render(self, name: str, context: Mapping[str, Any],
               env: jinja2.Environment | None = None) -> tuple[str, jinja2.Template]:
        """The template's output (block markup), within the time and size limits."""
        template = self.load(name, env)
        try:
            chunks = []
            size = 0
            with _time_limit(MAX_RENDER_SECONDS):
                for chunk in template.generate(**context):
                    size += len(chunk)
                    if size > MAX_OUTPUT_CHARS:
                        raise TemplateError(
                            f"template output is larger than {MAX_OUTPUT_CHARS} characters; "
                            "is there a loop that never ends?",
                            file=template.filename,
                        )
                    chunks.append(chunk)
            return "".join(chunks), template
        except TemplateError:
            raise
        except (_TooSlow, MemoryError) as exc:
            file, line = _template_frame(exc, template)
            what = (f"took longer than {MAX_RENDER_SECONDS:g} s to render"
                    if isinstance(exc, _TooSlow) else "needs too much memory")
            raise TemplateError(f"the template {what}; is there a loop that never ends?",
                                file=file, line=line) from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"template syntax error: {exc.message}", file=exc.filename, line=exc.lineno
            ) from None
        except (
            jinja2.UndefinedError,
            jinja2.exceptions.SecurityError,
            TypeError,
            ValueError,
            AttributeError,
            KeyError,
            IndexError,
            ZeroDivisionError,
            RecursionError,
            OverflowError,
            jinja2.TemplateError,
        ) as exc:
            file, line = _template_frame(exc, template)
            kind = "undefined variable" if isinstance(exc, jinja2.UndefinedError) else "error"
            if isinstance(exc, RecursionError):
                msg = "template calls itself without end"
            else:
                msg = f"{kind}: {exc}"
            raise TemplateError(msg, file=file, line=line) from None

    def markup(self, name: str, context: Mapping[str, Any], setting: Setting = HANDOUT
               ) -> tuple[Block, jinja2.Template]:
        """Render the template and read its markup: the blocks, or a TemplateError that
        names the template file and line of the first mistake.

        ``handouts build`` and ``handouts check`` both come here, so check finds
        every mistake a build would, at the same line.
        """
        text, template = self.render(name, context)
        try:
            root = parse(text)
            check_blocks(root, setting)
        except MarkupError as exc:
            raise self.locate(name, context, setting, exc) from None
        return root, template

    def locate(self, name: str, context: Mapping[str, Any], setting: Setting,
               error: MarkupError) -> TemplateError:
        """The template line that printed ``error``: the template is rendered again
        with line marks and read again, so normal renders pay nothing."""
        if self._marked is None:
            self._marked = self._environment(_LineMarks)
        text, template = self.render(name, context, self._marked)
        try:
            check_blocks(parse(text), setting)
        except MarkupError as exc:
            if exc.file:
                return TemplateError(exc.detail, file=exc.file,
                                     line=_line_with_tag(exc.file, exc.line, exc.tag))
        return TemplateError(error.detail, file=template.filename)


def _line_with_tag(file: str, line: int | None, tag: str | None) -> int | None:
    """A mark gives the line where an output line starts; the tag may be on the next."""
    if line is None or tag is None:
        return line
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return line
    for n in (line, line + 1, line + 2):
        if 0 < n <= len(lines) and re.search(rf"</?{re.escape(tag)}\b", lines[n - 1]):
            return n
    return line


def _template_frame(exc: BaseException, template: jinja2.Template) -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback (jinja2 rewrites frames)."""
    file, line = template.filename, None
    tb = exc.__traceback__
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname.endswith(SUFFIX) or fname.endswith(".j2"):
            file, line = fname, tb.tb_lineno
        tb = tb.tb_next
    return file, line
