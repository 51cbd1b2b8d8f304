"""Real servers for the channels tests, started by the tests on free ports (port 0):
an SMTP server (aiosmtpd) our mail goes to through Django's SMTP backend, and an HTTP
receiver (http.server in a thread) for webhooks and the transcription provider."""

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller


class _EphemeralController(Controller):
    """aiosmtpd's Controller on port 0: learn the port the kernel gave before the self-test."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} e-mails arrived"
        return self.messages


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; Django's SMTP backend sends to it. Yields its inbox."""
    inbox = _Inbox()
    controller = _EphemeralController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # What to answer: (status, body) pairs used in turn; the last one repeats.
    replies: list[tuple[int, bytes]] = field(default_factory=lambda: [(200, b"ok")])
    delay: float = 0.0
    extra_headers: dict = field(default_factory=dict)
    # Or compute the answer from the request: (path, headers, body) -> (status, body).
    respond: Callable[[str, dict, bytes], tuple[int, bytes]] | None = None


@pytest.fixture
def http_receiver():
    """A local HTTP server recording every POST. Yields an HttpReceiver."""
    state = HttpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, dict(self.headers), body))
            if state.delay:
                time.sleep(state.delay)
            if state.respond is not None:
                code, reply = state.respond(self.path, dict(self.headers), body)
            else:
                code, reply = state.replies[min(len(state.requests), len(state.replies)) - 1]
            try:
                self.send_response(code)
                for name, value in state.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:  # the client gave up waiting
                pass

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- A real IMAP server: Debian's Dovecot, configured in a temporary folder -------------------

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
)

_DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
passdb {{
  driver = oauth2
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    introspection: HttpReceiver


def _free_port() -> int:
    # Dovecot takes its port from its configuration file, so it cannot bind port 0 itself.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def imap_server(http_receiver) -> Iterator[ImapServer]:
    """Dovecot on a free port with one mailbox (password login, or XOAUTH2 tokens checked
    by `http_receiver` as the OAuth2 introspection endpoint). Skipped when Dovecot is not
    installed (`apt-get install dovecot-imapd`), except under CI=true, where that fails."""
    if DOVECOT is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is not installed: apt-get install dovecot-imapd")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir()
    root.chmod(0o777)
    (root / "mail").chmod(0o777)
    user, password = "desk@imap.test", "imap-test-password"
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    (root / "oauth2.conf.ext").write_text(
        "introspection_mode = post\n"
        f"introspection_url = {http_receiver.url}/introspect\n"
        "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
    )
    as_root = os.geteuid() == 0
    me = pwd.getpwuid(os.getuid()).pw_name
    port = _free_port()
    (root / "dovecot.conf").write_text(
        _DOVECOT_CONF.format(
            root=root,
            port=port,
            internal_user="dovecot" if as_root and _user_exists("dovecot") else me,
            login_user="dovenull" if as_root and _user_exists("dovenull") else me,
            mail_user="dovecot" if as_root and _user_exists("dovecot") else os.getuid(),
            mail_group="dovecot" if as_root and _user_exists("dovecot") else os.getgid(),
        )
    )
    process = subprocess.Popen(  # noqa: S603 (our own binary and config)
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    pytest.fail(f"Dovecot did not start: {log[-2000:]}")
                time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, user, password, http_receiver)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
