"""The web page and the JSON API: one Starlette app over one renderer (as in
Datasette, the page and the API are the same app)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from handouts.languages import LANGUAGES
from handouts.models import Library
from handouts.regions import BODY_REGIONS
from handouts.validate import clean_text, parse_follow_up, personal_details
from handouts.web import render
from handouts.web.security import BodyTooLarge, Guard, allowed_hosts

HERE = Path(__file__).parent
TEMPLATES = ("full", "summary", "large-print")
PAPERS = ("letter", "a4")
# Renders waiting beyond those running; past it a request is told to try again.
QUEUE_LIMIT = 8


class Invalid(Exception):
    def __init__(self, field: str | None, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


@dataclass
class Server:
    library: Library
    renderer: Any  # render.Renderer, or anything with submit()
    brand_file: Path | None
    data: Any
    template_dirs: tuple[Path, ...]
    workers: int

    def __post_init__(self) -> None:
        self.running = asyncio.Semaphore(self.workers)
        self.waiting = 0
        self.pages = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                        autoescape=True, undefined=jinja2.StrictUndefined)

    # ---------------------------------------------------------------- the library

    def muscles_json(self) -> list[dict[str, Any]]:
        return [{"id": m.id, "name": m.name, "other_names": list(m.other_names),
                 "regions": [m.body_region, *m.also_in]}
                for m in sorted(self.library.muscles.values(), key=lambda m: m.name)]

    def muscle_id(self, given: Any, fld: str = "muscle") -> str:
        from handouts.library import match_muscle, name_index

        if not isinstance(given, str) or not given.strip():
            raise Invalid(fld, "name a muscle by its id, e.g. piriformis")
        index = name_index((m.id, m.name, m.other_names)
                           for m in self.library.muscles.values())
        mid, hint = match_muscle(given, index)
        if mid is None:
            raise Invalid(fld, f"no muscle '{given}' in the library"
                          + (f"; did you mean '{hint}'?" if hint else ""), 404)
        return mid

    # ---------------------------------------------------------------- rendering

    async def render(self, req: render.Request) -> bytes:
        """The PDF, made by a worker: at most one render per worker at a time, a
        few more waiting, and the rest told the server is busy (503)."""
        if self.waiting >= QUEUE_LIMIT:
            raise Invalid(None, "the server is busy; try again in a moment", 503)
        self.waiting += 1
        try:
            await self.running.acquire()
        finally:
            self.waiting -= 1
        try:
            outcome = await asyncio.wrap_future(self.renderer.submit(req))
        finally:
            self.running.release()
        if outcome.error is not None:
            raise Invalid(outcome.error[0], outcome.error[1])
        return outcome.pdf

def _text(value: Any, fld: str, limit: int = 200) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Invalid(fld, "expected text")
    text = clean_text(value)
    if len(text) > limit:
        raise Invalid(fld, f"at most {limit} characters")
    return text or None


def _lines(value: Any, fld: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(fld, "expected a list of lines of text")
    if len(value) > 7:
        raise Invalid(fld, "at most 7 lines")
    return tuple(t for t in (_text(v, fld) for v in value) if t)


def request_from(server: Server, body: dict[str, Any], booklet: bool = False
                 ) -> render.Request:
    """A render request from a form or JSON body, every field checked."""
    template = body.get("template") or "full"
    if template not in TEMPLATES:
        raise Invalid("template", f"expected one of {', '.join(TEMPLATES)}")
    lang = body.get("lang") or "en"
    if lang not in LANGUAGES:
        raise Invalid("lang", f"expected one of {', '.join(LANGUAGES)}")
    paper = (body.get("paper") or "").lower() or None
    if paper is not None and paper not in PAPERS:
        raise Invalid("paper", "expected letter or a4")
    date = None
    if body.get("date"):
        try:
            date = dt.date.fromisoformat(str(body["date"]))
        except ValueError:
            raise Invalid("date", "expected a date like 2026-12-15") from None
    follow_up = None
    if body.get("follow_up"):
        try:
            follow_up = parse_follow_up(str(body["follow_up"]))
        except ValueError:
            raise Invalid("follow_up", "expected a date like 2026-12-15, or a date and a "
                                       "24-hour time like 2026-12-15 10:30") from None
    personal = personal_details(_text(body.get("patient"), "patient"),
                                _text(body.get("clinician"), "clinician"), date,
                                _lines(body.get("note"), "note"),
                                _lines(body.get("plan"), "plan"), follow_up)
    if booklet:
        given = body.get("muscles") or []
        if isinstance(given, str):
            given = [given]
        region = body.get("region") or None
        if region is not None and region not in BODY_REGIONS:
            raise Invalid("region", f"expected one of {', '.join(BODY_REGIONS)}")
        ids = [server.muscle_id(m, "muscles") for m in given]
        if region:
            ids += [m.id for m in server.library.muscles.values() if m.in_region(region)]
        ids = list(dict.fromkeys(ids))
        if not ids:
            raise Invalid("muscles", "pick at least one muscle, or a region")
        return render.Request(tuple(ids), template, lang, paper, personal, booklet=True,
                              title=_text(body.get("title"), "title"),
                              duplex=bool(body.get("duplex")))
    return render.Request((server.muscle_id(body.get("muscle")),), template, lang, paper,
                          personal)


def _pdf(pdf: bytes, download: bool, name: str) -> Response:
    how = "attachment" if download else "inline"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'{how}; filename="{name}.pdf"'})


def make_app(server: Server, *, token: str, host: str, port: int, log: Any = print
             ) -> Any:
    def page(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = server.pages.get_template(name).render(
            muscles=server.muscles_json(), regions=BODY_REGIONS, templates=TEMPLATES,
            langs=LANGUAGES, papers=PAPERS, **ctx)
        return HTMLResponse(html, status_code=status)

    async def index(request: HttpRequest) -> Response:
        return page("index.html")

    async def make(request: HttpRequest) -> Response:
        try:
            mid = server.muscle_id(request.path_params["muscle"])
        except Invalid as exc:
            return page("error.html", message=exc.message, status=exc.status)
        return page("make.html", muscle=server.library.muscles[mid])

    async def booklet_page(request: HttpRequest) -> Response:
        return page("booklet.html")

    async def clinic(request: HttpRequest) -> Response:
        from handouts.brand import brand_from_env_or, brand_warnings
        from handouts.errors import HandoutError, flatten

        found: list[str] = []
        brand = None
        try:
            if server.brand_file is not None:
                from handouts.check.brand import check_brand

                brand = check_brand(server.brand_file)
            else:
                brand = brand_from_env_or(None)
            found = [w.formatted() for w in brand_warnings(brand)]
        except HandoutError as exc:
            found = [e.formatted() for e in flatten([exc])]
        return page("clinic.html", brand=brand, brand_file=server.brand_file, found=found)

    async def library_page(request: HttpRequest) -> Response:
        from handouts.check import run_check

        result = await asyncio.to_thread(run_check, server.data, list(server.template_dirs))
        return page("library.html", result=result)

    async def form_handout(request: HttpRequest) -> Response:
        form = await request.form()
        body = {k: form.get(k) for k in form.keys()}
        body["muscles"] = form.getlist("muscles")
        is_booklet = request.url.path.endswith("/booklet")
        try:
            req = request_from(server, body, booklet=is_booklet)
            pdf = await server.render(req)
        except Invalid as exc:
            return page("error.html", message=exc.message, status=exc.status,
                        field=exc.field)
        name = "booklet" if is_booklet else f"{req.muscles[0]}-{req.template}"
        return _pdf(pdf, form.get("download") == "1", name)

    async def api_muscles(request: HttpRequest) -> Response:
        return JSONResponse(server.muscles_json())

    async def api_render(request: HttpRequest) -> Response:
        try:
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError:
                raise Invalid(None, "the body is not JSON") from None
            if not isinstance(body, dict):
                raise Invalid(None, "expected a JSON object")
            booklet = request.url.path.endswith("/booklets")
            req = request_from(server, body, booklet=booklet)
            pdf = await server.render(req)
        except Invalid as exc:
            return JSONResponse({"error": {"field": exc.field, "message": exc.message}},
                                status_code=exc.status)
        return _pdf(pdf, False, "booklet" if booklet else req.muscles[0])

    routes = [
        Route("/", index),
        Route("/muscles/{muscle}", make),
        Route("/booklet", booklet_page),
        Route("/clinic", clinic),
        Route("/library", library_page),
        Route("/pdf/handout", form_handout, methods=["POST"]),
        Route("/pdf/booklet", form_handout, methods=["POST"]),
        Route("/api/muscles", api_muscles),
        Route("/api/handouts", api_render, methods=["POST"]),
        Route("/api/booklets", api_render, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def too_large(request: HttpRequest, exc: Exception) -> Response:
        return JSONResponse({"error": {"field": None, "message": "the request is too large"}},
                            status_code=413)

    app = Starlette(routes=routes, exception_handlers={BodyTooLarge: too_large})
    return Guard(app, token=token, hosts=allowed_hosts(host, port), log=log)
