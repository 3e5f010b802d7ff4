"""The web page in a real browser (Debian's Chromium, driven by Playwright): find
a muscle, type a name, preview and download the PDF, and no serious axe-core
violations on any page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# axe-core from npm: .ci/run installs it here; AXE_JS may name another copy.
AXE = Path(os.environ.get("AXE_JS") or REPO / ".ci" / "node_modules" / "axe-core" / "axe.min.js")


def _need(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must have it)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    _need(CHROMIUM is not None, "Debian's chromium is not installed")
    pytest.importorskip("playwright")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cwd = tmp_path_factory.mktemp("serve")
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "serve", "--no-browser",
                             "--port", str(port), "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=cwd)
    first = proc.stdout.readline().strip()
    assert first.startswith(f"Serving on http://127.0.0.1:{port}/?token="), first
    yield first.removeprefix("Serving on "), proc
    # Nothing was written where it ran: no PDF, no log, no cache.
    assert [p.name for p in cwd.iterdir()] == []
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _axe(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]
            if v["impact"] in ("critical", "serious")]


def test_find_a_muscle_type_a_name_and_download(served, browser, tmp_path):
    import pypdfium2

    url, proc = served
    ctx = browser.new_context(accept_downloads=True, bypass_csp=True)
    page = ctx.new_page()
    page.goto(url)
    assert page.url.endswith("/") and "token" not in page.url  # the token became a cookie
    page.get_by_label("Muscle name, other name or body part").fill("piri")
    visible = page.locator("#results li:visible")
    assert visible.count() == 1 and "Piriformis" in visible.inner_text()
    assert page.locator("#count").inner_text() == "1 muscle"
    visible.get_by_role("link").click()
    page.wait_for_url("**/muscles/piriformis")
    page.get_by_label("Patient's name").fill("Zelda Quintero")
    page.get_by_label("Next visit (date and time, e.g. 2026-12-15 10:30)").fill(
        "2026-12-15 10:30")
    with page.expect_response("**/pdf/handout") as preview:
        page.get_by_role("button", name="Preview").click()
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    with page.expect_download() as got:
        page.get_by_role("button", name="Download").click()
    pdf = tmp_path / "handout.pdf"
    got.value.save_as(pdf)
    text = " ".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(str(pdf)))
    assert "Zelda Quintero" in text and "December 15, 2026, at 10:30 AM" in text
    shot = os.environ.get("HANDOUTS_SCREENSHOT")
    if shot:
        page.set_viewport_size({"width": 1280, "height": 860})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=shot, full_page=False)
    ctx.close()


@pytest.mark.parametrize("path", ["/", "/muscles/piriformis", "/booklet", "/clinic",
                                  "/library"])
def test_no_serious_accessibility_problems(served, browser, path):
    _need(AXE.is_file(), f"axe-core is not installed ({AXE}); npm install axe-core")
    url, _ = served
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(url)
    page.goto(url.split("/?")[0] + path)
    assert page.locator("html").get_attribute("lang") == "en"
    assert _axe(page) == []
    ctx.close()


def test_the_log_has_no_patient_details_and_ctrl_c_stops_it(served, browser):
    import signal

    url, proc = served
    # The earlier tests typed a patient's name; the server's lines never show it.
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode in (0, 130), out
    assert "Traceback" not in out
    lines = out.splitlines()
    assert not any("Zelda" in line or "token=" in line for line in lines)
    assert any(line.startswith("POST /pdf/handout 200") for line in lines)
