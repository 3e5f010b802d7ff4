"""One handout or booklet, end to end: model -> template -> block markup -> flowables -> PDF.

Everything that is the same for many handouts (fonts, styles, the template
environment, the library) is set up once in a :class:`Typesetter` and reused.
A typesetter holds no per-handout state between calls and changes nothing
outside itself, so a long-running server can keep one and call it again
and again (from several threads, or one per worker process). It returns the
PDF's bytes; writing a file is the caller's (``handouts.atomic``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, NextPageTemplate, PageBreak

from handouts.atomic import write_atomic
from handouts.bodymap import SPAN_WORDS
from handouts.brand import DEFAULT_BRAND, Brand
from handouts.errors import RenderError
from handouts.i18n import load_catalogue
from handouts.languages import LANGUAGES
from handouts.markup import Block, Setting
from handouts.models import Library, Muscle, Personal, Signs
from handouts.pdf.blocks import BlockContext, length, make_flowables
from handouts.pdf.document import (
    Layout,
    Metadata,
    PageSetup,
    frame_width,
    measure,
    typeset,
    typeset_measured,
)
from handouts.pdf.fonts import check_coverage, register_family
from handouts.pdf.pagerefs import Anchors, ToRightPage
from handouts.pdf.paragraphs import TextCache
from handouts.pdf.structure import Node
from handouts.pdf.styles import Styles, make_styles
from handouts.templating import (
    BOOKLET_TEMPLATE,
    Templates,
    booklet_context,
    shared_for,
    template_context,
)

BODY_SIZE = 12.0
# <page spacing="...">: the share of the usual space between blocks, and the line
# spacing. "dense" is for a one-page summary that would otherwise lose a self-care
# step or a warning sign; it is still far from cramped (1.3 times the type size).
SPACING = {"normal": (1.0, 1.4), "compact": (0.5, 1.4), "dense": (0.3, 1.3)}


@dataclass(frozen=True)
class Limit:
    """How much a template with <page fit="N"/> must leave out (see docs/templates.md)."""

    limit: int | None = None  # items of lists such as habits and warning signs
    # 1: leave out text that repeats what the page shows another way; 2 and 3: leave
    # out more of what the full handout has (the template says what)
    tight: int = 0


# Tried in order until the handout fits on N pages: lists go down to 1 item, then
# to 0 (the template may leave a list out); then the page goes tight and the lists
# it still shows go down from 2 to 1, then tighter (the template says what each
# step leaves out or sets in fewer lines).
FIT_LIMITS = ([Limit(n) for n in (7, 6, 5, 4, 3, 2, 1, 0)]
              + [Limit(2, 1)] + [Limit(1, t) for t in range(1, 12)])
# Where the search for the limit starts: the built-in summaries fit at 10 to 18,
# most at 12 to 14, in English and Spanish, on letter and A4.
FIT_GUESS = 12


@dataclass(frozen=True)
class Options:
    template: str = "full"
    paper: str | None = None  # None: the brand's paper
    personal: Personal = field(default_factory=Personal)


@dataclass
class Composed:
    """A handout turned into flowables, with the page set-up it asked for."""

    story: list[Flowable]
    styles: Styles
    setup: PageSetup
    paper: str
    fit: int | None
    auto_spacing: bool = False  # <page spacing="auto">, set compact
    root: Block | None = None  # the markup it was made from


@dataclass(frozen=True)
class Part:
    """What a handout needs to know as a part of a booklet."""

    anchors: Anchors  # where the shared sections it points to are
    signs: Signs  # the same-day and soon signs the booklet prints once


# With <page spacing="auto">, a last page filled less than this much is worth a
# closer spacing if it saves the page, and a page filled less than FULL_PAGE
# (page 1: FULL_FIRST_PAGE) is worth trying the other spacings for: a box that
# cannot start at the foot of a page may start in another. Of those with the
# fewest pages and no page in between filled less than HOLE (a box that moved
# on whole), the one with the fewest pages short of full wins.
LIGHT_LAST_PAGE = 1 / 3
HOLE = 0.5
# The other spacings are tried for a last page filled less than this: the tracker
# moves days onto a light last page until it holds a third, so a third alone no
# longer tells a page that a closer spacing could save.
TRY_CLOSER = 0.5
# Dense spacing takes 5 to 12 % less height than compact (measured over the
# library): on a long handout (large print) it can save a page even when the last
# one is nearly full, so it is tried for a last page filled less than this share
# of a page per page.
CLOSER_SAVES = 0.12
FULL_FIRST_PAGE = 0.85
FULL_PAGE = 0.8


class Typesetter:
    """Typesets handouts from one library, brand, language and template search path."""

    def __init__(self, library: Library, *, brand: Brand = DEFAULT_BRAND,
                 template_dirs: list[Path] | None = None, data_dir: Path | None = None,
                 lang: str = "en") -> None:
        self.library = library
        self.brand = brand.in_language(lang)
        self.lang = lang
        dirs = list(template_dirs or [])
        if brand.template_dir is not None:
            dirs.append(brand.template_dir)
        self.templates = Templates(dirs)
        self.catalogue = load_catalogue(lang, self.templates.dirs)
        self._ = self.catalogue.gettext
        if brand.file is None:
            # The neutral brand's name is a word of ours, so it is translated.
            self.brand = dataclasses.replace(self.brand, clinic=self._(self.brand.clinic))
        self.data_dir = data_dir
        self.family = register_family(
            str(brand.path(brand.fonts.regular)) if brand.fonts.regular else None,
            str(brand.path(brand.fonts.bold)) if brand.fonts.bold else None,
        )
        # Text that is the same in every handout is checked against the font once.
        check_coverage(self.brand, self.family, brand.file)
        self.sources = library.sources
        check_coverage(shared_for(library.shared, self.brand), self.family,
                       self.sources.shared_file() if self.sources else None)
        self._styles: dict[tuple[float, str], Styles] = {}
        self._drawings: dict[str, Any] = {}  # technique id -> its drawing, read once
        self._text = TextCache()

    def text_cache(self, options: Options) -> TextCache:
        """The cache a handout's paragraphs share: the typesetter's, or a private
        one over it when the handout carries patient details."""
        return self._text if options.personal == Personal() else self._text.private()

    def styles(self, size: float, spacing: str = "normal") -> Styles:
        key = (size, spacing)
        if key not in self._styles:
            gap, line = SPACING[spacing]
            self._styles[key] = make_styles(self.family, self.brand.colors.primary,
                                            self.brand.colors.accent, size, gap, line)
        return self._styles[key]

    def context(self, muscle: Muscle, options: Options, limit: Limit = Limit(),
                part: Part | None = None) -> dict[str, Any]:
        ctx = template_context(self.library, muscle, self.brand, options.personal,
                               self.catalogue)
        ctx["limit"], ctx["tight"] = limit.limit, limit.tight
        ctx["booklet"] = part is not None
        # Signs the booklet prints once for all its muscles; a part prints the rest.
        if part is not None:
            ctx["printed_once"] = part.signs
        return ctx

    def image_dirs(self) -> tuple[Path, ...]:
        dirs = [Path(d) for d in self.templates.dirs]
        if self.data_dir:
            dirs.append(self.data_dir)
        return tuple(dirs)

    def markup(self, muscle: Muscle, options: Options, limit: Limit = Limit(),
               part: Part | None = None) -> Block:
        """The template's markup for this muscle, read and checked."""
        ctx = self.context(muscle, options, limit, part)
        setting = Setting(muscle=True, booklet=part is not None, image_dirs=self.image_dirs(),
                          techniques=frozenset(t.id for t in self.library.shared.techniques))
        root, _ = self.templates.markup(options.template, ctx, setting)
        return root

    def compose(self, muscle: Muscle, options: Options, limit: Limit = Limit(),
                part: Part | None = None, spacing: str | None = None,
                cache: TextCache | None = None, root: Block | None = None) -> Composed:
        """The handout as flowables, with the page set-up its template asked for
        (``spacing`` in place of the template's, for <page spacing="auto">;
        ``part``: as a part of a booklet; ``root``: its markup, when it was made
        already for the same muscle, options, limit and part)."""
        if root is None:
            root = self.markup(muscle, options, limit, part)
        page = next((b for b in root.children if b.tag == "page"), None)
        size = float(page.attrs.get("body", BODY_SIZE)) if page else BODY_SIZE
        setup = PageSetup()
        if page is not None and "margin" in page.attrs:
            setup = PageSetup.for_margin(length(page.attrs["margin"], None), size)
        elif size > BODY_SIZE:
            setup = PageSetup.for_margin(setup.margin, size)
        brand = self.brand
        bare = not (brand.logo or brand.tagline or brand.address or brand.contact_line())
        asked = page.attrs.get("spacing", "normal") if page is not None else "normal"
        spacing = spacing or ("compact" if asked == "auto" else asked)
        # A header with only the clinic's name needs no room for a logo and details.
        if bare or (page is not None and page.attrs.get("header") == "compact"):
            setup = dataclasses.replace(setup, first_header=setup.first_header * 0.72)
        if spacing != "normal":
            setup = dataclasses.replace(setup, gap=setup.gap * SPACING[spacing][0])
        if page is not None and page.attrs.get("footer") == "slim":
            setup = dataclasses.replace(setup, slim_footer=True)
        if page is not None and "columns" in page.attrs:
            setup = dataclasses.replace(setup, columns=int(page.attrs["columns"]))
        paper = options.paper or self.brand.paper
        styles = self.styles(size, spacing)
        ctx = BlockContext(styles=styles, width=frame_width(paper, setup),
                           image_dirs=self.image_dirs(), personal=options.personal,
                           brand=self.brand, gettext=self._, lang=self.lang,
                           bodymap=self._bodymap(muscle), technique=self._technique,
                           # In a booklet each muscle is a section of its own.
                           parent=Node("Sect") if part else None,
                           anchors=part.anchors if part else None,
                           # An empty cache is falsy (it has a length): test for None.
                           text_cache=cache if cache is not None else self.text_cache(options))
        story = make_flowables([b for b in root.children if b.tag != "page"], ctx)
        fit = int(page.attrs["fit"]) if page is not None and "fit" in page.attrs else None
        return Composed(story, styles, setup, paper, fit, auto_spacing=asked == "auto", root=root)

    def _technique(self, tid: str) -> tuple[Any, str, str]:
        """A technique's drawing, caption and alt text, in this language."""
        from handouts.library import technique_drawing
        from handouts.pdf.pictures import read_drawing

        technique = self.library.shared.technique(tid)  # the markup check knows the id
        if tid not in self._drawings:
            path = technique_drawing(tid, self.sources or self.data_dir)
            if path is None:
                raise RenderError(f"no drawing for the technique '{tid}'",
                                  file=self.sources.shared_file() if self.sources else None)
            self._drawings[tid] = read_drawing(path)
        return self._drawings[tid], technique.caption, technique.alt

    def _bodymap(self, muscle: Muscle):  # noqa: ANN202
        """The maker of <bodymap/>: this muscle's pain map, labelled in this language."""
        from handouts.pdf.bodymap import bodymap_flowables

        _ = self._
        labels = {"main": _("Often felt"), "spillover": _("Sometimes felt"),
                  "marker": _("Tender knot"), "front": _("Front"), "back": _("Back"),
                  "side": _("Side"), "sole": _("Sole of foot"),
                  "span": _("{view}: {top} to {bottom}"),
                  **{word: _(word) for _y, word in SPAN_WORDS}}

        def make(block: Block, ctx: BlockContext) -> list[Flowable]:
            width = ctx.width
            if "width" in block.attrs:
                width = min(width, length(block.attrs["width"], ctx))
            caption = block.attrs.get("caption")
            height = length(block.attrs["height"], ctx) if "height" in block.attrs else None
            parts = bodymap_flowables(muscle, self.library.regions, width=width,
                                      styles=ctx.styles, caption=caption, labels=labels,
                                      parent=ctx.parent, gettext=_, height=height)
            legend = block.attrs.get("legend", "with")
            if legend == "none":
                parts = [parts[0], *parts[2:]]
            elif legend == "only":
                parts = parts[1:]  # the legend, and the caption under it
            parts[-1].keepWithNext = False
            return parts

        return make

    def language_tag(self) -> str:
        """The brand's tag when it is this language (en-GB stays en-GB), else ours."""
        if self.brand.language.split("-")[0] == self.lang:
            return self.brand.language
        return LANGUAGES[self.lang].pdf_tag

    def meta(self, muscle: Muscle) -> Metadata:
        _ = self._
        return Metadata(
            title=_("{name}: patient handout").format(name=muscle.name),
            subject=muscle.summary,
            keywords=[muscle.name, *muscle.other_names, _("trigger points"), _("muscle strain"),
                      _("self-care")],
            date=muscle.reviewed,
            language=self.language_tag(),
        )

    def handout(self, muscle: Muscle, options: Options = Options(), *,
                tagged: bool = True) -> bytes:
        """The muscle's handout as PDF bytes. ``tagged=False`` only to measure tagging."""
        check_coverage(muscle, self.family, self.muscle_file(muscle))
        check_coverage(options.personal, self.family, None)
        cache = self.text_cache(options)
        composed, pdf = self._settled(muscle, options, cache, draw_tagged=tagged)
        return pdf if pdf is not None else self._typeset(composed, muscle, tagged)[0]

    def _settled(self, muscle: Muscle, options: Options, cache: TextCache,
                 part: Part | None = None, draw_tagged: bool | None = None
                 ) -> tuple[Composed, bytes | None]:
        """The handout composed as it will print: cut to fit its pages, or, with
        ``spacing="auto"``, in the spacing that lays it out best (:meth:`_close_up`).
        Trial layouts do not draw, and the story chosen is laid out again as it is;
        with ``draw_tagged`` given (True or False), a trial that is likely to be chosen
        is drawn, tagged or not, and its PDF comes back with it when it is chosen."""
        composed = self.compose(muscle, options, part=part, cache=cache)
        if composed.fit is not None:
            return self._fit(muscle, options, composed.fit, cache, part), None
        if composed.auto_spacing:
            layout = self._measure(composed)
            light = max(TRY_CLOSER, CLOSER_SAVES * layout.pages)
            if 1 < layout.pages and (layout.last_page_used < light
                                     or layout.least_inner_used < HOLE
                                     or layout.short_pages(FULL_FIRST_PAGE, FULL_PAGE)):
                return self._close_up(muscle, options, composed, layout, cache, part, draw_tagged)
        return composed, None

    def _typeset(self, c: Composed, muscle: Muscle, tagged: bool) -> tuple[bytes, Layout]:
        return typeset_measured(c.story, brand=self.brand, styles=c.styles, setup=c.setup,
                                meta=self.meta(muscle), gettext=self._, paper=c.paper,
                                tagged=tagged)

    def write(self, muscle: Muscle, target: Path, options: Options = Options()) -> Path:
        """The muscle's handout, written to ``target`` whole or not at all."""
        return write_atomic(target, self.handout(muscle, options), what="the PDF")

    def _measure(self, c: Composed) -> Layout:
        return measure(c.story, brand=self.brand, styles=c.styles, setup=c.setup, paper=c.paper)

    def _close_up(self, muscle: Muscle, options: Options, compact: Composed, layout: Layout,
                  cache: TextCache, part: Part | None = None,
                  draw_tagged: bool | None = None
                  ) -> tuple[Composed, bytes | None]:
        """For a light last page or a page short of full: the spacing that
        gives the fewest pages, then no half-empty page, then the fewest pages
        short of full, then no light last page; on a tie, the most air (normal,
        then compact, then dense). Dense that saves a page with no hole is as
        good as it gets, so normal is then not tried.

        Across the library dense is chosen nearly every time it is tried, so with
        ``draw_tagged`` given its trial is drawn (tagged or not, as asked), which spares
        laying the chosen story out a second time."""

        def rank(lay: Layout) -> tuple[int, bool, int, bool]:
            return (lay.pages, lay.least_inner_used < HOLE,
                    lay.short_pages(FULL_FIRST_PAGE, FULL_PAGE),
                    lay.pages > 1 and lay.last_page_used < LIGHT_LAST_PAGE)

        best = (rank(layout), 1, compact)
        pdf: tuple[Composed, bytes] | None = None  # the trial drawn, and its PDF
        for spacing, air in (("dense", 2), ("normal", 0)):
            # The markup does not depend on the spacing: made once.
            trial = self.compose(muscle, options, part=part, spacing=spacing, cache=cache,
                                 root=compact.root)
            if draw_tagged is not None and spacing == "dense":
                data, trial_layout = self._typeset(trial, muscle, draw_tagged)
                pdf = trial, data
            else:
                trial_layout = self._measure(trial)
            if (rank(trial_layout), air) < best[:2]:
                best = (rank(trial_layout), air, trial)
            pages, hole, _, _ = best[0]
            if best[2] is trial and pages < layout.pages and not hole:
                break
        return best[2], pdf[1] if pdf is not None and pdf[0] is best[2] else None

    def _fit(self, muscle: Muscle, options: Options, pages: int, cache: TextCache,
             part: Part | None = None) -> Composed:
        """Shorten lists, never the type, until the handout fits on ``pages`` pages.

        The first of FIT_LIMITS that fits is found by searching out from
        FIT_GUESS, where most built-in summaries fit, then by bisection: each
        limit leaves out more than the one before, so once one fits, all later
        ones nearly always do (about three trial layouts, against five from the
        ends). The search always starts there, not where the last handout
        fitted: where a limit does not leave a handout shorter (a smaller map
        whose view names wrap onto one more line), a search that started
        elsewhere could find another cut, and the same handout would print
        differently after another one.
        """

        tried: dict[int, Composed] = {}
        fitted: dict[int, bool] = {}

        def fits(i: int) -> bool:
            if i not in fitted:
                tried[i] = self.compose(muscle, options, FIT_LIMITS[i], part, cache=cache)
                fitted[i] = self._measure(tried[i]).pages <= pages
            return fitted[i]

        last = len(FIT_LIMITS) - 1
        guess = min(FIT_GUESS, last)
        # Found: every limit before lo does not fit, and hi does.
        hi: int | None = None
        if fits(guess):
            hi, step = guess, 1
            while hi - step >= 0 and fits(hi - step):
                hi, step = hi - step, step * 2
            lo = max(0, hi - step + 1)
        else:
            lo, step = guess + 1, 1
            while lo <= last and hi is None:
                probe = min(lo + step - 1, last)
                if fits(probe):
                    hi = probe
                else:
                    lo, step = probe + 1, step * 2
        if hi is not None:
            while lo < hi:
                mid = (lo + hi) // 2
                if fits(mid):
                    hi = mid
                else:
                    lo = mid + 1
            return tried[hi]  # measured, and as good as new
        raise RenderError(
            f"the '{options.template}' template does not fit on {pages} page(s) even with "
            "everything it may leave out left out; shorten the longest texts",
            file=self.muscle_file(muscle),
        )

    def booklet(self, muscles: list[Muscle], options: Options, title: str,
                duplex: bool = False) -> bytes:
        """A cover with the contents, the sections every muscle shares (cautions,
        first aid, strain grades, the disclaimer) once, then each muscle's part,
        pointing to them by page number, as one PDF's bytes. ``duplex``: each
        part starts on a right-hand page."""
        for muscle in muscles:
            check_coverage(muscle, self.family, self.muscle_file(muscle))
        check_coverage(options.personal, self.family, None)
        check_coverage(title, self.family, None)
        cover_ctx = booklet_context(self.library, muscles, title, self.brand, options.personal,
                                    self.catalogue)
        root, _ = self.templates.markup(BOOKLET_TEMPLATE, cover_ctx, Setting(
            muscle=False, booklet=True, image_dirs=self.image_dirs()))
        anchors = Anchors()
        part = Part(anchors, cover_ctx["signs_once"])
        # Each part starts on a new page, so it is fitted and spaced as a handout is.
        cache = self.text_cache(options)
        parts = [self._settled(muscle, options, cache, part)[0] for muscle in muscles]
        # The cover and shared sections are set like the muscles' template.
        first = parts[0]
        ctx = BlockContext(styles=first.styles, width=frame_width(first.paper, first.setup),
                           image_dirs=self.image_dirs(), personal=options.personal,
                           brand=self.brand, booklet=True, gettext=self._, lang=self.lang,
                           anchors=anchors)
        story: list[Flowable] = [anchors]
        for f in make_flowables(root.children, ctx):
            if getattr(f, "_anchor", None) and getattr(f, "_outline", (None, 1))[1] == 0:
                f._toc = f._outline[0]  # a section of the booklet's own
            story.append(f)
        for muscle, composed in zip(muscles, parts, strict=True):
            heading = next((f for f in composed.story
                            if getattr(f, "_outline", (None, 1))[1] == 0), None)
            if heading is not None:
                heading._toc = muscle.name
            story += [NextPageTemplate("lead"), PageBreak()]
            if duplex:
                story.append(ToRightPage("lead"))
            story += composed.story
        meta = Metadata(
            title=title,
            subject=self._("Patient handouts:") + " " + ", ".join(m.name for m in muscles),
            keywords=[m.name for m in muscles],
            date=max(m.reviewed for m in muscles),
            language=self.language_tag(),
        )
        pdf = typeset(story, brand=self.brand, styles=first.styles, setup=first.setup,
                      meta=meta, gettext=self._, paper=first.paper)
        missing = sorted(anchors.wanted - anchors.pages.keys())
        if missing:
            raise RenderError(f'<pageref to="{missing[0]}">: no heading has '
                              f'anchor="{missing[0]}"')
        return pdf

    def muscle_file(self, muscle: Muscle) -> Path | None:
        if self.sources is not None:
            return self.sources.muscle(muscle.id)
        return self.data_dir / "muscles" / f"{muscle.id}.yaml" if self.data_dir else None
