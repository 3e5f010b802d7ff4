"""What keeps a local server's patient details to the clinician at the keyboard.

Every request needs the token printed when the server starts: from the URL
once (then an HttpOnly, SameSite=Strict cookie), or an ``Authorization:
Bearer`` header for other software. The Host header must name the server
itself, so a web page elsewhere cannot reach it through a DNS trick; a request
that changes something must come from the server's own page (its Origin);
bodies over 64 KB are refused; nothing is cached, and the page may load
nothing from anywhere else.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from starlette.datastructures import URL, QueryParams
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "handouts_token"
MAX_BODY = 64 * 1024
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-src 'self'; object-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'self'"),
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str, port: int) -> set[str]:
    names = {host, *(LOOPBACK if host in LOOPBACK else ())}
    return {f"[{n}]:{port}" if ":" in n else f"{n}:{port}" for n in names}


class Guard:
    """ASGI middleware: the token, Host and Origin checks, the size limit, the
    headers every response carries, and one log line per request (no query
    strings, no form fields)."""

    def __init__(self, app: Any, *, token: str, hosts: set[str], log: Any) -> None:
        self.app, self.token, self.hosts, self.log = app, token, hosts, log

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                for k, v in HEADERS.items():
                    if k == "Content-Security-Policy" and _is_pdf(headers):
                        continue  # a browser's PDF viewer runs scripts of its own
                    headers.append((k.lower().encode(), v.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = self.refuse(scope)
            if refusal is not None:
                await refusal(scope, receive, sending)
            else:
                await self.app(scope, _limited(receive), sending)
        finally:
            ms = (time.perf_counter() - start) * 1000
            self.log(f"{scope['method']} {scope['path']} {status['code']} {ms:.0f} ms")

    def refuse(self, scope: dict) -> Response | None:
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("host") not in self.hosts:
            return PlainTextResponse("This server answers only on its own address.", 421)
        if int(headers.get("content-length") or 0) > MAX_BODY:
            return PlainTextResponse("The request is too large.", 413)
        bearer = headers.get("authorization", "")
        by_header = bearer.startswith("Bearer ") and self._ok(bearer[7:])
        url = URL(scope=scope)
        if not by_header and self._ok(QueryParams(url.query).get("token", "")):
            # The token from the printed address: kept as a cookie from now on, and
            # gone from the address bar.
            clean = url.remove_query_params("token")
            r = RedirectResponse(clean.path + (f"?{clean.query}" if clean.query else ""), 303)
            r.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            return r
        cookies = _cookies(headers.get("cookie", ""))
        if not (by_header or self._ok(cookies.get(COOKIE, ""))):
            return PlainTextResponse("Open the address the server printed, with its token.",
                                     401)
        if scope["method"] not in ("GET", "HEAD") and not by_header:
            # From the page itself: its Origin, or, where the browser sends "null" (as
            # with no-referrer), the Fetch metadata a page cannot set.
            origin = headers.get("origin")
            own = origin is not None and origin.split("://", 1)[-1] in self.hosts
            same = origin in (None, "null") and headers.get("sec-fetch-site") == "same-origin"
            if not (own or same):
                return PlainTextResponse("This request must come from the handouts page.",
                                         403)
        return None

    def _ok(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given, self.token)


def _is_pdf(headers: list) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"application/pdf")
               for k, v in headers)


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def _limited(receive: Any) -> Any:
    """The body, refused past MAX_BODY even without a Content-Length."""
    seen = {"n": 0}

    async def wrapped() -> dict:
        message = await receive()
        if message["type"] == "http.request":
            seen["n"] += len(message.get("body", b""))
            if seen["n"] > MAX_BODY:
                raise BodyTooLarge
        return message

    return wrapped


class BodyTooLarge(Exception):
    pass
