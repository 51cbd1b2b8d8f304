"""The optional LLM provider against a real local HTTP server: it answers or quietly fails."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from resolution.engine.llm import DisabledLLM, OpenAICompatibleLLM, llm_from_settings

SLOW_SECONDS = 3.0


class FakeOpenAI(BaseHTTPRequestHandler):
    """The first path segment picks the behaviour: /ok, /error, /garbage, /empty, /slow."""

    requests: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        mode = self.path.split("/")[1]
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        if mode == "error":
            self._send(500, b'{"error": "boom"}')
        elif mode == "garbage":
            self._send(200, b"<html>not json")
        elif mode == "empty":
            self._send(200, json.dumps({"choices": []}).encode())
        else:
            reply = {"choices": [{"message": {"role": "assistant", "content": " Hi there. "}}]}
            self._send(200, json.dumps(reply).encode())

    def _send(self, status: int, payload: bytes):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (the slow case)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def llm(url: str, timeout: float = 2.0) -> OpenAICompatibleLLM:
    return OpenAICompatibleLLM(url, "tiny-model", "sk-test", timeout)


def test_it_returns_the_assistant_message(server_url):
    FakeOpenAI.requests.clear()
    assert llm(f"{server_url}/ok/v1/").generate("Where is my order?", system="Be kind") == (
        "Hi there."
    )
    sent = FakeOpenAI.requests[0]
    assert sent["path"] == "/ok/v1/chat/completions"
    assert sent["auth"] == "Bearer sk-test"
    assert sent["body"] == {
        "model": "tiny-model",
        "messages": [
            {"role": "system", "content": "Be kind"},
            {"role": "user", "content": "Where is my order?"},
        ],
        "temperature": 0.2,
    }


@pytest.mark.parametrize("mode", ["error", "garbage", "empty"])
def test_a_server_error_or_malformed_reply_gives_none(server_url, mode, caplog):
    assert llm(f"{server_url}/{mode}").generate("hi", system="s") is None
    assert "LLM" in caplog.text


def test_a_slow_server_gives_none_within_the_timeout(server_url):
    started = time.monotonic()
    assert llm(f"{server_url}/slow", timeout=0.3).generate("hi", system="s") is None
    assert time.monotonic() - started < 0.3 + 0.5


def test_an_unreachable_server_gives_none():
    # Port 9 (discard) on localhost is closed in any sane test environment.
    assert llm("http://127.0.0.1:9", timeout=1.0).generate("hi", system="s") is None


def test_the_repr_never_shows_the_key():
    assert "sk-test" not in repr(llm("http://127.0.0.1:9"))


def test_it_is_disabled_unless_both_url_and_model_are_set():
    assert isinstance(llm_from_settings("", "m", "k", 5), DisabledLLM)
    assert isinstance(llm_from_settings("http://x", "  ", "k", 5), DisabledLLM)
    assert isinstance(llm_from_settings(None, None, None, 5), DisabledLLM)
    assert DisabledLLM().generate("hi", system="s") is None
    enabled = llm_from_settings("http://x/v1/", "m", "", 5)
    assert isinstance(enabled, OpenAICompatibleLLM)
    assert enabled.url == "http://x/v1/chat/completions"
