"""`handouts serve`: the API and the pages through the framework's test client,
with renders made in this process (the worker pool is the same function)."""

from __future__ import annotations

import io
from concurrent.futures import Future

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from handouts.library import load_library  # noqa: E402
from handouts.web import render  # noqa: E402
from handouts.web.app import Server, make_app  # noqa: E402

HOST, PORT, TOKEN = "127.0.0.1", 8765, "test-token-123"
BASE = f"http://{HOST}:{PORT}"


class InProcess:
    """The renderer, without processes: the same render function, run here."""

    def __init__(self) -> None:
        render._start(render.Setup(None, None))

    def submit(self, req: render.Request) -> Future:
        f: Future = Future()
        f.set_result(render._render(req))
        return f


@pytest.fixture(scope="module")
def served():
    lib = load_library().library
    lines: list[str] = []
    server = Server(lib, InProcess(), None, None, (), 2)
    app = make_app(server, token=TOKEN, host=HOST, port=PORT, log=lines.append)
    return app, lines


@pytest.fixture
def client(served):
    app, _ = served
    return TestClient(app, base_url=BASE)


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def pdf_text(data: bytes) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(io.BytesIO(data))
    return " ".join(p.get_textpage().get_text_range() for p in doc)


def test_without_the_token_nothing(client):
    for path in ("/", "/api/muscles", "/muscles/piriformis", "/static/app.js"):
        r = client.get(path)
        assert r.status_code == 401 and "piriformis" not in r.text.lower()
    r = client.get("/api/muscles", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


def test_the_token_in_the_url_becomes_a_cookie(client):
    r = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    r = client.get("/")
    assert r.status_code == 200 and "Find a muscle" in r.text and "Piriformis" in r.text


def test_every_response_has_the_safety_headers(client):
    r = client.get("/api/muscles", headers=auth())
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_host_must_be_the_server_itself(served):
    app, _ = served
    other = TestClient(app, base_url="http://evil.example:8765")
    assert other.get("/api/muscles", headers=auth()).status_code == 421
    local = TestClient(app, base_url=f"http://localhost:{PORT}")
    assert local.get("/api/muscles", headers=auth()).status_code == 200


def test_state_changing_requests_check_the_origin(client):
    client.get(f"/?token={TOKEN}")
    form = {"muscle": "piriformis", "template": "summary"}
    assert client.post("/pdf/handout", data=form).status_code == 403
    r = client.post("/pdf/handout", data=form, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/pdf/handout", data=form, headers={"Origin": BASE})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"


def test_api_muscles(client):
    rows = client.get("/api/muscles", headers=auth()).json()
    pir = next(r for r in rows if r["id"] == "piriformis")
    assert pir["name"] == "Piriformis" and "hip" in pir["regions"] and pir["other_names"]


def test_api_handout_with_the_patient_in_the_pdf_and_nowhere_else(served, client, tmp_path):
    _, lines = served
    body = {"muscle": "piriformis", "template": "summary", "lang": "es", "paper": "a4",
            "patient": "Zelda Quintero", "plan": ["Pasos 1 a 4, dos veces al día"],
            "follow_up": "2026-12-15 10:30"}
    r = client.post("/api/handouts", json=body, headers=auth())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "Zelda Quintero" in text and "15 de diciembre de 2026, a las 10:30" in text
    assert not any("Zelda" in line for line in lines)
    assert lines and all("?" not in line for line in lines)


def test_api_bad_input_names_the_field(client):
    cases = [({"muscle": "piriformis", "template": "poster"}, "template", 400),
             ({"muscle": "piriformis", "follow_up": "15/12/2026"}, "follow_up", 400),
             ({"muscle": "piriformis", "lang": "fr"}, "lang", 400),
             ({"muscle": "piriformus"}, "muscle", 404),
             ({}, "muscle", 400)]
    for body, field, status in cases:
        r = client.post("/api/handouts", json=body, headers=auth())
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["field"] == field
        assert "Traceback" not in r.text
    r = client.post("/api/handouts", json={"muscle": "piriformus"}, headers=auth())
    assert "did you mean 'piriformis'" in r.json()["error"]["message"]
    r = client.post("/api/handouts", content=b"{not json", headers=auth())
    assert r.status_code == 400 and r.json()["error"]["message"] == "the body is not JSON"


def test_api_booklet(client):
    r = client.post("/api/booklets", json={"muscles": ["soleus", "piriformis", "soleus"]},
                    headers=auth())
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    assert "Soleus" in text and "Piriformis" in text


def test_big_bodies_are_refused(client):
    r = client.post("/api/handouts", content=b"x" * (65 * 1024),
                    headers={**auth(), "Content-Type": "application/json"})
    assert r.status_code == 413


def test_busy_server_says_so(client, monkeypatch):
    from handouts.web import app as web

    monkeypatch.setattr(web, "QUEUE_LIMIT", 0)
    r = client.post("/api/handouts", json={"muscle": "soleus"}, headers=auth())
    assert r.status_code == 503 and "busy" in r.json()["error"]["message"]


def test_pages(client):
    client.get(f"/?token={TOKEN}")
    assert "Tensor fasciae latae" in client.get("/").text
    page = client.get("/muscles/TFL")
    assert page.status_code == 200 and 'name="patient"' in page.text
    assert client.get("/muscles/nope").status_code == 404
    assert "Booklet" in client.get("/booklet").text
    assert "Brand check" in client.get("/clinic").text
    library = client.get("/library")
    assert library.status_code == 200 and "checked 30 muscles" in library.text
