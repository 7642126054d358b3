"""unspin serve: the HTTP API through FastAPI's TestClient, its limits, and slow clients against a real uvicorn."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
from fastapi.testclient import TestClient  # noqa: E402

import unspin  # noqa: E402
from unspin.serve import Settings, create_app  # noqa: E402
from unspin.serve.limits import ApiError  # noqa: E402
from unspin.serve.queue import WorkQueue  # noqa: E402
from unspin.serve.server import serving  # noqa: E402

SPUN = "The results are as pursues: crude information from the Center East shows the White Home was right."
HOSTILE = "<script>alert(1)</script> The results are as pursues: <img src=x onerror=alert(1)> the Center East \"'&"
STATIC = Path(unspin.__file__).parent / "serve" / "static"


@pytest.fixture(scope="module")
def client(kn) -> Iterator[TestClient]:
    """One app for the module (warmed up once), with the default limits, checking on threads (tests/test_browser.py serves with processes)."""
    with TestClient(create_app(Settings(processes=False))) as c:
        yield c


@pytest.fixture()
def small_client() -> Iterator[TestClient]:
    """An app with a 1,000-byte body limit, one worker and no queue; it never reaches the library before a test patches it."""
    app = create_app(Settings(max_body_bytes=1000, workers=1, queue=0, request_timeout=0.5, warm_up=False, processes=False))
    with TestClient(app, raise_server_exceptions=False) as c:  # a 500 is answered, as a real server would
        yield c


def assert_error(response, status: int, fragment: str) -> None:
    """A JSON error of ``status`` whose message contains ``fragment``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert fragment in body["error"], body


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["version"] == unspin.__version__ and body["mode"] == "full" and body["trace"] is False
    assert body["capacity"] == 66 and body["workers"] == "2 threads" and body["speed_chars_per_s"] > 0 and body["in_progress"] >= 0


def test_check_returns_the_library_report(client: TestClient, well_formed) -> None:
    r = client.post("/v1/check", json={"text": SPUN})
    assert r.status_code == 200
    body = r.json()
    assert body == unspin.check(SPUN).to_dict()
    well_formed(SPUN, body["findings"])
    assert {f["text"]: f["suggestions"][0]["text"] for f in body["findings"]}["as pursues"] == "as follows"


def test_check_options(client: TestClient) -> None:
    one = client.post("/v1/check", json={"text": SPUN, "top_k": 1}).json()
    assert one["findings"] and all(len(f["suggestions"]) == 1 for f in one["findings"])
    strict = client.post("/v1/check", json={"text": SPUN, "min_confidence": 0.95}).json()
    assert [f["text"] for f in strict["findings"]] == ["as pursues"]
    allowed = client.post("/v1/check", json={"text": SPUN, "allow": ["Center East"]}).json()
    assert "Center East" not in [f["text"] for f in allowed["findings"]]
    doable = "We are working around the clock to deliver this legislation for the American people as soon as doable."
    assert "doable" not in [f["text"] for f in client.post("/v1/check", json={"text": doable}).json()["findings"]]
    suspect = client.post("/v1/check", json={"text": doable, "spun_prior": 0.9}).json()
    assert [(f["text"], f["suggestions"][0]["text"]) for f in suspect["findings"]] == [("doable", "possible")]
    assert client.post("/v1/check", json={"text": doable, "spun_prior": 2}).status_code == 422
    lex = client.post("/v1/check", json={"text": "Pick a bunch size of 32.", "lexicon": {"Bunch Size": ["batch size"]}}).json()
    assert [(f["text"], f["kind"], f["suggestions"][0]["text"]) for f in lex["findings"]] == [("bunch size", "lexicon", "batch size")]


def test_restore_and_replay(client: TestClient) -> None:
    r = client.post("/v1/restore", json={"text": SPUN})
    assert r.status_code == 200
    body = r.json()
    assert body["text"].startswith("The results are as follows: raw data from the Middle East")
    edits = [unspin.Edit(**e) for e in body["edits"]]
    assert unspin.apply_edits(SPUN, edits) == body["text"]
    only_sure = client.post("/v1/restore", json={"text": SPUN, "restore_confidence": 0.95}).json()
    assert only_sure["text"] == SPUN.replace("as pursues", "as follows")


def test_offsets_count_code_points(client: TestClient) -> None:
    text = "🌲𝔘 " + SPUN  # two characters outside the BMP before the findings
    body = client.post("/v1/check", json={"text": text}).json()
    assert body["findings"] and all(text[f["start"] : f["end"]] == f["text"] for f in body["findings"])


def test_hostile_text_round_trips_as_data(client: TestClient) -> None:
    r = client.post("/v1/restore", json={"text": HOSTILE})
    assert r.headers["content-type"] == "application/json"
    restored = r.json()["text"]
    assert "<script>alert(1)</script>" in restored and "<img src=x onerror=alert(1)>" in restored and "\"'&" in restored
    assert "as follows" in restored
    check = client.post("/v1/check", json={"text": HOSTILE}).json()
    assert all(HOSTILE[f["start"] : f["end"]] == f["text"] for f in check["findings"])


BAD_BODIES = [
    (b"", 400, "request body is empty"),
    (b"text=hello", 400, "not valid JSON"),
    (b'{"text": "unterminated', 400, "not valid JSON"),
    (b'{"text": "caf\xe9"}', 400, "not valid UTF-8 (byte 13)"),
    (b"\x00\x01\x02\xff", 400, "not valid UTF-8"),
    (b'["a list"]', 422, "must be a JSON object"),
    (b'"just a string"', 422, "must be a JSON object"),
    (b"{}", 422, "text: Field required"),
    (b'{"text": 42}', 422, "text: Input should be a valid string"),
    (b'{"text": null}', 422, "text: Input should be a valid string"),
    (b'{"text": "a", "colour": "red"}', 422, "colour: unknown field"),
    (b'{"text": ""}', 422, "text: text is empty"),
    (b'{"text": " \\n\\t "}', 422, "text: text is empty"),
    (b'{"text": "bin\\u0000ary"}', 422, "input looks binary (it contains NUL bytes)"),
    (json.dumps({"text": "\x01\x02\x03\x04 ab"}).encode(), 422, "too many control characters"),
    (b'{"text": "x\\ud800y"}', 422, "unpaired surrogate"),
    (b'{"text": "a", "min_confidence": 1.5}', 422, "min_confidence: Input should be less than or equal to 1"),
    (b'{"text": "a", "min_confidence": "0.5"}', 422, "min_confidence: Input should be a valid number"),
    (b'{"text": "a", "top_k": 0}', 422, "top_k: Input should be greater than or equal to 1"),
    (b'{"text": "a", "allow": "one phrase"}', 422, "allow: Input should be a valid list"),
    (b'{"text": "a", "lexicon": {"bunch size": []}}', 422, "the spun phrase and its original(s) must be non-empty"),
]


@pytest.mark.parametrize("endpoint", ["/v1/check", "/v1/restore"])
@pytest.mark.parametrize(("body", "status", "message"), BAD_BODIES, ids=[m for _, _, m in BAD_BODIES])
def test_bad_input_gets_a_clear_4xx(client: TestClient, endpoint: str, body: bytes, status: int, message: str) -> None:
    assert_error(client.post(endpoint, content=body, headers={"content-type": "application/json"}), status, message)


def test_too_large(small_client: TestClient) -> None:
    big = json.dumps({"text": "word " * 400}).encode()
    assert_error(small_client.post("/v1/check", content=big), 413, "the limit is 1,000")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        yield b'{"text": "'
        for _ in range(50):
            yield b"word " * 10
        yield b'"}'

    assert_error(small_client.post("/v1/check", content=chunks()), 413, "over the limit of 1,000 bytes")
    assert_error(small_client.post("/v1/check", content=b"{}", headers={"content-length": "abc"}), 400, "Content-Length")


def test_routes_and_methods(client: TestClient) -> None:
    assert_error(client.get("/v2/nothing"), 404, "no such page or endpoint: /v2/nothing")
    assert_error(client.get("/v1/check"), 405, "GET is not allowed on /v1/check")
    assert_error(client.post("/v1/trace", json={"text": SPUN}), 404, "no index configured")


def test_busy_server_answers_503_with_retry_after(small_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def slow_check(text: str, config: unspin.Config) -> unspin.Report:
        release.wait(10)
        return unspin.Report(0.0, [], 1)

    monkeypatch.setattr(unspin, "check", slow_check)
    first: list = []
    worker = threading.Thread(target=lambda: first.append(small_client.post("/v1/check", json={"text": "one"})))
    worker.start()
    deadline = time.monotonic() + 5
    while small_client.app.state.queue.pending < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    busy = small_client.post("/v1/check", json={"text": "two"})
    release.set()
    worker.join(10)
    assert_error(busy, 503, "server busy")
    assert 1 <= int(busy.headers["retry-after"]) <= 60
    assert first[0].status_code == 200


def test_slow_call_times_out_with_504(small_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unspin, "check", lambda text, config: time.sleep(1.5) or unspin.Report(0.0, [], 1))
    assert_error(small_client.post("/v1/check", json={"text": "slow"}), 504, "took longer than 0.5 s")


def test_unexpected_error_is_json_500(small_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, config: unspin.Config) -> unspin.Report:
        raise RuntimeError("boom")

    monkeypatch.setattr(unspin, "check", broken)
    assert_error(small_client.post("/v1/check", json={"text": "x"}), 500, "internal error (RuntimeError)")


def test_worker_processes_give_the_library_answer(kn) -> None:
    with TestClient(create_app(Settings(workers=1, processes=True))) as c:
        assert c.get("/healthz").json()["workers"] == "1 processes"
        assert c.post("/v1/restore", json={"text": SPUN}).json() == unspin.restore(SPUN).to_dict()
        assert_error(c.post("/v1/check", json={"text": "x\x00y"}), 422, "binary")


SOURCE = (
    "The city council voted on Tuesday to rebuild the old harbour wall, which storms damaged in 2021. "
    "Work will begin in March and should take about eighteen months, according to the port authority. "
    "The project will cost 4.2 million pounds, most of it paid by the regional government in Cardiff."
)
SPUN_SOURCE = (
    "The metropolis chamber decided on Tuesday to reconstruct the aged harbour barrier, which tempests harmed in 2021. "
    "Work will commence in March and ought to take around eighteen months, as indicated by the port expert. "
    "The undertaking will cost 4.2 million pounds, the majority of it paid by the provincial administration in Cardiff."
)


def test_worker_processes_end_with_a_killed_server(tmp_path: Path) -> None:
    code = (
        "import asyncio, sys; from unspin.serve.queue import WorkQueue\n"
        "q = WorkQueue(1, 0, 10, 100, processes=True)\n"
        "asyncio.run(q.warm_up(len, 'x')); print('ready', flush=True); sys.stdin.read()"
    )
    server = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        workers = [w for c in children for w in Path(f"/proc/{c}/task/{c}/children").read_text().split()]
        assert workers, "no worker process under the fork server"
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "worker processes outlived the server"


def test_trace_with_a_tiny_index(tmp_path: Path) -> None:
    from unspin.tracing import create_index

    path = tmp_path / "sources.db"
    other = "My grandmother kept bees behind the orchard for forty years, and every August she lifted the frames."
    create_index(path).add([("harbour", SOURCE, {"url": "https://example.org/harbour"}), ("bees", other, {})])
    with TestClient(create_app(Settings(index=path, processes=False, warm_up=False))) as c:
        assert c.get("/healthz").json()["trace"] is True
        body = c.post("/v1/trace", json={"text": SPUN_SOURCE, "k": 2}).json()
        assert body["source"] == "harbour" and body["candidates"][0]["source"] == "harbour" and body["alignment"]
        assert c.post("/v1/trace", json={"text": "Nothing like any source at all, about cooking pasta."}).json()["source"] is None
        assert_error(c.post("/v1/trace", json={"text": SPUN_SOURCE, "k": 0}), 422, "k: Input should be greater than or equal to 1")
        assert_error(c.post("/v1/trace", json={"text": SPUN_SOURCE, "top_k": 2}), 422, "top_k: unknown field")


def test_bad_index_fails_at_start(tmp_path: Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"not an index")
    with pytest.raises(RuntimeError, match="junk.db"):  # unspin serve turns it into a message and exit code 2
        create_app(Settings(index=tmp_path / "junk.db", processes=False, warm_up=False))


def _run_all(queue: WorkQueue, sizes: list[int], seconds: float | list[float] = 0.2, func=time.sleep) -> list:
    """Submit one ``func(seconds)`` per size at once; the results or ApiErrors, in order."""
    import asyncio

    pauses = seconds if isinstance(seconds, list) else [seconds] * len(sizes)

    async def run() -> list:
        return await asyncio.gather(*(queue.run(func, p, size=n, timeout=5) for n, p in zip(sizes, pauses)), return_exceptions=True)

    return asyncio.run(run())


def _statuses(results: list) -> list[int]:
    return [r.status if isinstance(r, ApiError) else 200 for r in results]


def test_work_queue_caps_calls_and_releases_its_slots() -> None:
    queue = WorkQueue(workers=1, queue=1, max_wait=60, speed=1000)  # threads
    assert _statuses(_run_all(queue, [10, 10, 10])) == [200, 200, 503]
    deadline = time.monotonic() + 2
    while queue.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert queue.pending == 0 and abs(queue.wait_estimate()) < 1e-6
    queue.shutdown()


def test_work_queue_admits_by_estimated_wait() -> None:
    queue = WorkQueue(workers=1, queue=100, max_wait=2, speed=1000, overhead=0)  # 1,000 characters a second
    results = _run_all(queue, [1500, 1000, 10, 50])  # 1.5 s of work; +1 s: 2.5 s > 2 s
    assert _statuses(results) == [200, 200, 503, 503]
    assert 1 <= int(results[2].headers["Retry-After"]) <= 300 and "server busy" in results[2].message
    assert _statuses(_run_all(queue, [80_000])) == [413]  # 80 s alone: over three times the 5 s limit
    queue.shutdown()


def test_work_queue_sends_away_a_call_that_waited_too_long() -> None:
    ran: list[float] = []
    queue = WorkQueue(workers=1, queue=10, max_wait=0.3, speed=1e9, overhead=0)  # estimates far too low

    def work(seconds: float) -> None:
        ran.append(seconds)
        time.sleep(seconds)

    results = _run_all(queue, [10, 10], seconds=[1.0, 0.01], func=work)
    assert _statuses(results) == [200, 503] and "no worker came free within 0.3 s" in results[1].message
    assert ran == [1.0]  # the one sent away never ran
    assert queue.pending == 0 and abs(queue.wait_estimate()) < 1e-6
    queue.shutdown()


def test_page_and_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert client.head("/").status_code == 200
    for name, kind in [("app.js", "javascript"), ("style.css", "text/css"), ("favicon.svg", "image/svg+xml")]:
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"], name
        assert r.headers["x-content-type-options"] == "nosniff"
    html = page.text
    assert "http://" not in html and "https://" not in html  # no CDN: everything ships in the package
    assert "<script>" not in html and " on" + "click=" not in html  # no inline script for the CSP to refuse
    default = f"{unspin.Config().min_confidence:.2f}"  # the slider starts where the library does
    assert f'id="min-confidence" min="0.2" max="0.95" step="0.05" value="{default}"' in html and "{{" not in html


def test_page_script_builds_dom_from_text_only() -> None:
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    assert "Array.from(text)" in script  # offsets are code points


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/check", "/v1/restore", "/v1/trace", "/healthz"} <= set(spec["paths"])
    body = spec["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"text", "min_confidence", "restore_confidence", "top_k", "spun_prior", "allow", "lexicon"} == set(body["properties"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static-offline-docs/swagger-ui-bundle.js" in docs.text and "https://" not in docs.text
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200


def test_check_command_does_not_import_the_server() -> None:
    code = "import sys, unspin.cli; sys.exit('fastapi' in sys.modules or 'uvicorn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_serve_command_help(runner) -> None:
    from unspin.cli import app

    r = runner.invoke(app, ["serve", "--help"])
    assert r.exit_code == 0
    assert "--index" in r.output and "--fast" in r.output


# --- slow clients against a real uvicorn ----------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_server() -> Iterator[tuple[str, int]]:
    """A real server with 1-second header and body deadlines (no warm-up: these requests never reach the library)."""
    with serving(Settings(header_timeout=1.0, body_timeout=1.0, warm_up=False)) as url:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        yield host, int(port)


def _read_all(sock: socket.socket, limit: float) -> bytes:
    sock.settimeout(limit)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def test_slow_headers_are_cut_off(slow_server: tuple[str, int]) -> None:
    with socket.create_connection(slow_server) as sock:
        start = time.monotonic()
        for byte in b"POST /v1/check HTTP/1.1\r\nHost: x\r\n":
            try:
                sock.send(bytes([byte]))
            except OSError:
                break  # the server closed the connection
            time.sleep(0.05)
            if time.monotonic() - start > 4:
                break
        answer = _read_all(sock, 3)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert time.monotonic() - start < 4


def test_slow_body_gets_408(slow_server: tuple[str, int]) -> None:
    with socket.create_connection(slow_server) as sock:
        sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n")
        sock.sendall(b'{"text": "')
        answer = _read_all(sock, 4)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer
    assert "took longer than 1 s to arrive" in json.loads(body)["error"]


def test_server_stays_healthy_after_slow_clients(slow_server: tuple[str, int]) -> None:
    with socket.create_connection(slow_server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = _read_all(sock, 3)
    assert answer.startswith(b"HTTP/1.1 200") and b'"status":"ok"' in answer
