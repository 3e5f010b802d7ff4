"""Our drawings of the self-care techniques: SVG files read once, drawn as vectors."""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable

from handouts.cache import cache_folder, code_stamp, keep, read_kept
from handouts.errors import RenderError, os_reason


def read_drawing(path: Path) -> Drawing:
    """An SVG file as a reportlab drawing, or a RenderError that names the file.

    The drawing read is kept in the user's cache folder, named for the file's
    bytes and the versions of the code that read it: svglib and what it
    imports take longer to load than a whole handout takes to lay out. (A
    pickle is only read from the user's own cache folder, made private.)
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RenderError(f"cannot read the drawing: {os_reason(exc)}", file=path) from None
    kept, key = _kept_file(data)
    drawing = read_kept(kept, key, Drawing)
    if drawing is None:
        drawing = _parse(path)
        keep(kept, key, drawing, what="the drawing cache")
    return drawing


def _kept_file(svg: bytes) -> tuple[Path | None, bytes]:
    import reportlab

    folder = cache_folder("drawings")
    if folder is None:
        return None, b""
    key = hashlib.sha256(svg)
    key.update(Path(__file__).read_bytes())
    key.update(reportlab.Version.encode())
    key.update(code_stamp("svglib"))
    digest = key.digest()
    return folder / f"{digest.hex()[:32]}.pickle", digest


def _parse(path: Path) -> Drawing:
    from svglib.svglib import svg2rlg

    # svglib logs what it cannot draw instead of failing; a drawing of ours must
    # draw whole, so a logged problem is an error.
    problems: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            problems.append(record.getMessage())

    log = logging.getLogger("svglib.svglib")
    handler = Catch(logging.WARNING)
    log.addHandler(handler)
    try:
        drawing = svg2rlg(str(path))
    except Exception as exc:  # svglib and lxml raise many kinds for a bad file
        raise RenderError(f"cannot read the drawing: {exc}", file=path) from None
    finally:
        log.removeHandler(handler)
    if drawing is None or problems or not drawing.width or not drawing.height:
        reason = problems[0] if problems else "not an SVG drawing with a size"
        raise RenderError(f"cannot read the drawing: {reason}", file=path)
    return drawing


class Picture(Flowable):
    """A drawing as wide as the room it gets (up to ``max_width``)."""

    def __init__(self, drawing: Drawing, font: str, max_width: float | None = None) -> None:
        super().__init__()
        # Its own copy, all the way down: drawing sets state on every shape (its
        # parent), and handouts may be made in several threads from one parsed
        # drawing; reportlab's copy() shares the shapes. A pickle round trip is
        # five times faster than copy.deepcopy.
        self.drawing = pickle.loads(pickle.dumps(drawing, protocol=pickle.HIGHEST_PROTOCOL))
        self.font, self.max_width = font, max_width
        self.width = max_width or drawing.width
        self.height = self.width * drawing.height / drawing.width

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = min(aw, self.max_width) if self.max_width else aw
        self.height = self.width * self.drawing.height / self.drawing.width
        return self.width, self.height

    def draw(self) -> None:
        s = self.width / self.drawing.width
        self.canv.saveState()
        self.canv.scale(s, s)
        # Otherwise the drawing's renderer names Helvetica, which is not embedded.
        self.drawing.initialFontName = self.font
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        self.canv.restoreState()
