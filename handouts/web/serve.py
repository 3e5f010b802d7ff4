"""Start the server: warm workers, the app, uvicorn, and a clean stop on Ctrl-C."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from handouts.errors import ErrorList
from handouts.web.security import LOOPBACK


def run(*, data: Any, brand: Path | None, template_dirs: tuple[Path, ...], paper: str | None,
        host: str, port: int, token: str, url: str, workers: int, open_browser: bool) -> None:
    import uvicorn

    from handouts.library import load_library
    from handouts.web.app import Server, make_app
    from handouts.web.render import Renderer, Setup

    result = load_library(data)
    if result.library is None:
        raise ErrorList(result.problems)
    if brand is not None:
        from handouts.brand import load_brand

        load_brand(brand)  # a broken brand file is said now, not at the first request
    renderer = Renderer(Setup(data, brand, template_dirs, paper), workers)
    server = Server(result.library, renderer, brand, data, template_dirs, workers)

    def log(line: str) -> None:
        click.echo(line)

    app = make_app(server, token=token, host=host, port=port, log=log)
    # Listening before the first line is printed, so whoever reads it can connect.
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        renderer.close()
        from handouts.errors import HandoutError

        raise HandoutError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    # The first line, exactly, for people and for scripts that start the server.
    click.echo(f"Serving on {url}")
    if host not in LOOPBACK:
        click.echo(f"warning: listening on {host}: other computers on the network can reach "
                   "this page (they still need the token)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                            lifespan="off")
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # uvicorn stops gracefully on SIGTERM, then raises it again; this handler makes
    # that end like Ctrl-C, so the workers are stopped too and nothing is left behind.
    signal.signal(signal.SIGTERM, stop)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        renderer.close()
    sys.exit(0)
