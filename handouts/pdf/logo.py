"""The clinic's logo: a raster image scaled down once, or an SVG kept as vectors."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from handouts.errors import RenderError, os_reason

MAX_LOGO_BYTES = 20_000_000
# Enough pixels for a logo printed about 2 inches wide at 300 dpi.
MAX_PIXELS_SIDE = 800
_EXTERNAL = re.compile(r"""(?:xlink:)?href\s*=\s*["'](?!#|data:)([^"']*)["']""", re.I)


@dataclass(frozen=True)
class Logo:
    width: float  # natural size in points (aspect ratio is what matters)
    height: float
    image: Any = None  # reportlab ImageReader for raster logos
    drawing: Any = None  # reportlab Drawing for SVG logos

    def draw(self, canvas: Any, x: float, y: float, max_w: float, max_h: float,
             font: str) -> float:
        """Draw inside the box, keeping the aspect ratio; returns the width used.

        ``font`` is the embedded font an SVG's renderer starts from; otherwise it
        names Helvetica, which would put an unembedded font in the PDF.
        """
        scale = min(max_w / self.width, max_h / self.height)
        w, h = self.width * scale, self.height * scale
        y += (max_h - h) / 2
        if self.drawing is not None:
            from reportlab.graphics import renderPDF

            canvas.saveState()
            canvas.translate(x, y)
            canvas.scale(scale, scale)
            self.drawing.initialFontName = font
            _embedded_text(self.drawing, font)
            renderPDF.draw(self.drawing, canvas, 0, 0)
            canvas.restoreState()
        else:
            canvas.drawImage(self.image, x, y, w, h, mask="auto")
        return w


@lru_cache(maxsize=4)
def load_logo(path: Path) -> Logo:
    try:
        size = path.stat().st_size
    except OSError:
        raise RenderError("logo file not found", file=path, field="logo") from None
    if size == 0:
        raise RenderError("the logo file is empty", file=path, field="logo")
    if size > MAX_LOGO_BYTES:
        raise RenderError(f"the logo file is too large ({size / 1e6:.0f} MB; the limit is "
                          f"{MAX_LOGO_BYTES / 1e6:.0f} MB)", file=path, field="logo")
    if path.suffix.lower() == ".svg":
        return _svg(path)
    return _raster(path)


def _raster(path: Path) -> Logo:
    from PIL import Image, UnidentifiedImageError
    from reportlab.lib.utils import ImageReader

    try:
        with Image.open(path) as im:
            # Pillow refuses images far over its pixel limit only when it decodes
            # them; say so in words before that, from the size in the file's header.
            w, h = im.size
            limit = Image.MAX_IMAGE_PIXELS or 0
            if limit and w * h > limit:
                raise RenderError(
                    f"the image is {w} x {h} pixels ({w * h / 1e6:.0f} megapixels); the "
                    f"limit is {limit / 1e6:.0f} megapixels. Save a smaller copy (a logo "
                    f"needs about {MAX_PIXELS_SIDE} pixels across)", file=path, field="logo")
            if im.format not in ("PNG", "JPEG"):
                raise RenderError(f"the logo is a {im.format} image; use PNG, JPEG or SVG",
                                  file=path, field="logo")
            im.load()
            w, h = im.size
            # A huge logo would make every PDF huge; shrink it once per process.
            if max(w, h) > MAX_PIXELS_SIDE:
                im = im.copy()
                im.thumbnail((MAX_PIXELS_SIDE, MAX_PIXELS_SIDE))
            if im.mode not in ("RGB", "RGBA", "L", "LA"):
                im = im.convert("RGBA")
            buf = io.BytesIO()
            im.save(buf, format="PNG", optimize=True)
    except Image.DecompressionBombError:
        # Pillow refuses it before reading the size out: PNG says it in its header.
        limit = (Image.MAX_IMAGE_PIXELS or 0) * 2
        head = path.read_bytes()[:24]
        size = ""
        if head[:8] == b"\x89PNG\r\n\x1a\n":
            w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
            size = f" is {w} x {h} pixels ({w * h / 1e6:.0f} megapixels);"
        raise RenderError(
            f"the image{size or ' has too many pixels;'} the limit is {limit / 1e6:.0f} "
            f"megapixels. Save a smaller copy (a logo needs about {MAX_PIXELS_SIDE} pixels "
            "across)", file=path, field="logo") from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise RenderError("cannot read the logo: the file is not a PNG or JPEG image, or it "
                          "is damaged", file=path, field="logo") from None
    buf.seek(0)
    return Logo(width=float(w), height=float(h), image=ImageReader(buf))


def _svg(path: Path) -> Logo:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise RenderError(f"cannot read the logo: {os_reason(exc)}", file=path,
                          field="logo") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        raise RenderError("SVG logos may not declare a DOCTYPE or entities", file=path,
                          field="logo")
    ext = _EXTERNAL.search(text)
    if ext:
        raise RenderError(f"the SVG logo refers to another file or address ('{ext.group(1)}');"
                          " embed everything in the SVG", file=path, field="logo")
    import logging

    from svglib.svglib import svg2rlg

    # svglib logs parse problems instead of raising; we report them ourselves.
    logging.getLogger("svglib").setLevel(logging.CRITICAL)
    try:
        drawing = svg2rlg(str(path), resolve_entities=False,
                          external_reference_root=str(path.parent))
    except Exception as exc:  # svglib raises many kinds on bad input
        raise RenderError(f"cannot read the SVG logo: {exc}", file=path, field="logo") from None
    if drawing is None or not drawing.width or not drawing.height:
        raise RenderError("cannot read the SVG logo (not a valid SVG image)", file=path,
                          field="logo")
    return Logo(width=float(drawing.width), height=float(drawing.height), drawing=drawing)


def _embedded_text(drawing: Any, font: str) -> None:
    """Text in an SVG logo in ``font``, the embedded one the handout uses: the font
    the SVG names (Helvetica, by default) is not in the PDF, which PDF/UA forbids."""
    from reportlab.graphics.shapes import Group, String

    def walk(node: Any) -> None:
        for child in getattr(node, "contents", []):
            if isinstance(child, String):
                child.fontName = font
            elif isinstance(child, Group):
                walk(child)

    walk(drawing)
