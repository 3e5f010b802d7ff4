"""One handout, end to end: model -> template -> block markup -> flowables -> PDF.

Everything that is the same for many handouts (fonts, styles, the template
environment) is set up once in a :class:`Renderer` and reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts.blocks import BuildContext, build_blocks
from handouts.brand import DEFAULT_BRAND, Brand
from handouts.document import Layout, Metadata, frame_width, large_print_layout, render_pdf
from handouts.errors import TemplateError
from handouts.fonts import check_coverage, register_family
from handouts.markup import parse
from handouts.models import Library, Muscle, Personal
from handouts.styles import make_styles
from handouts.templating import Templates, template_context

# Templates whose name says they are large print get the large-print page and type.
LARGE_PRINT_SIZE = 18.0
BODY_SIZE = 12.0


@dataclass(frozen=True)
class Options:
    template: str = "full"
    paper: str | None = None  # None: the brand's paper
    personal: Personal = field(default_factory=Personal)


class Renderer:
    """Renders handouts from one library, brand and template search path."""

    def __init__(
        self,
        library: Library,
        *,
        brand: Brand = DEFAULT_BRAND,
        template_dirs: list[Path] | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.library = library
        self.brand = brand
        self.templates = Templates(template_dirs or [])
        self.data_dir = data_dir
        self.family = register_family(brand.fonts.regular, brand.fonts.bold)
        self._styles: dict[float, Any] = {}

    def styles(self, size: float):  # noqa: ANN201
        if size not in self._styles:
            self._styles[size] = make_styles(
                self.family, self.brand.colours.primary, self.brand.colours.accent, size
            )
        return self._styles[size]

    def context(self, muscle: Muscle, options: Options) -> dict[str, Any]:
        return template_context(self.library, muscle, self.brand, options.personal)

    def markup(self, muscle: Muscle, options: Options) -> tuple[str, str]:
        """Render the template; returns (markup, template file)."""
        text, template = self.templates.render(options.template, self.context(muscle, options))
        return text, template.filename or options.template

    def build(self, muscle: Muscle, target: Path, options: Options = Options()) -> Path:
        check_coverage(muscle, self.family, self.muscle_file(muscle))
        text, tfile = self.markup(muscle, options)
        try:
            root = parse(text, tfile)
        except TemplateError as exc:
            raise self._locate(exc, tfile, muscle, options) from None
        large = "large" in Path(tfile).name
        size = LARGE_PRINT_SIZE if large else BODY_SIZE
        layout = large_print_layout() if large else Layout()
        paper = options.paper or self.brand.paper
        styles = self.styles(size)
        image_dirs = [Path(d) for d in self.templates.dirs]
        if self.data_dir:
            image_dirs.append(self.data_dir)
        ctx = BuildContext(
            styles=styles,
            width=frame_width(paper, layout),
            image_dirs=image_dirs,
            template_file=tfile,
            personal=options.personal,
        )
        story = build_blocks(root.children, ctx)
        meta = Metadata(
            title=f"{muscle.name}: patient handout",
            subject=muscle.summary,
            keywords=[
                muscle.name,
                *muscle.other_names,
                "trigger points",
                "muscle strain",
                "self-care",
            ],
            date=muscle.reviewed,
        )
        return render_pdf(
            story,
            target,
            brand=self.brand,
            styles=styles,
            layout=layout,
            meta=meta,
            labels={},
            paper=paper,
        )

    def muscle_file(self, muscle: Muscle) -> Path | None:
        return self.data_dir / "muscles" / f"{muscle.id}.yaml" if self.data_dir else None

    def _locate(
        self, exc: TemplateError, tfile: str, muscle: Muscle, options: Options
    ) -> TemplateError:
        """Point a markup error at the template line that printed it."""
        m = re.match(r"markup error in output line (\d+): (.*)", exc.detail, re.S)
        if not m:
            return exc
        file, line = self.templates.locate(
            options.template, self.context(muscle, options), int(m.group(1))
        )
        # Jinja2 counts a text chunk from the tag before it; settle on the
        # nearby line that really holds the tag the message names.
        tag = re.search(r"<(\w+)", m.group(2))
        if tag and Path(file).is_file():
            lines = Path(file).read_text(encoding="utf-8").splitlines()
            for n in (line, line + 1, line - 1, line + 2):
                if 0 < n <= len(lines) and re.search(rf"</?{tag.group(1)}\b", lines[n - 1]):
                    line = n
                    break
        return TemplateError(m.group(2), file=file, line=line)

    def template_chain(self, tfile: str) -> list[Path]:
        """The template file and every template it extends or includes, as files."""
        seen: list[Path] = []
        todo = [Path(tfile)]
        while todo:
            p = todo.pop()
            if p in seen or not p.is_file():
                continue
            seen.append(p)
            for name in re.findall(
                r"\{%-?\s*(?:extends|include|import|from)\s+[\"']([^\"']+)",
                p.read_text(encoding="utf-8"),
            ):
                found = self.templates.source_file(name)
                if found:
                    todo.append(found)
        return seen
