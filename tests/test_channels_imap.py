"""The IMAP door, against a real Dovecot started by the test: the poller logs in (password or
XOAUTH2), imports unread mail through the one ingest path, moves or marks what it stored, and
never loses or doubles a message."""

import imaplib
import json
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs

import pytest

from channels.models import InboundEmail, Mailbox
from channels.services.imap import mailbox_poll
from channels.tasks import poll_mailboxes
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def put_mail(server, body: str, folder: str = "INBOX", *, raw: bytes | None = None) -> None:
    message = EmailMessage()
    message["From"] = "Bob Buyer <bob@customer.test>"
    message["To"] = server.user
    message["Subject"] = "Help"
    message["Message-ID"] = make_msgid(domain="customer.test")
    message.set_content(body)
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.user, server.password)
    client.append(folder, None, None, raw or message.as_bytes())
    client.logout()


def folder_state(server, folder: str) -> tuple[int, int]:
    """(messages, unseen) in a folder."""
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.user, server.password)
    status, data = client.status(folder, "(MESSAGES UNSEEN)")
    client.logout()
    words = data[0].decode().split("(")[1].rstrip(")").split()
    values = dict(zip(words[::2], map(int, words[1::2]), strict=True))
    return values["MESSAGES"], values["UNSEEN"]


def make_mailbox(server, monkeypatch, **fields) -> Mailbox:
    monkeypatch.setenv("SD_TEST_IMAP_SECRET", server.password)
    return Mailbox.objects.create(
        name="support",
        host=server.host,
        port=server.port,
        security=Mailbox.Security.NONE,
        username=server.user,
        secret_env="SD_TEST_IMAP_SECRET",
        **fields,
    )


def test_unread_mail_becomes_tickets_and_is_marked_read(imap_server, monkeypatch, taxonomy):
    put_mail(imap_server, "Where is my parcel? It is late.")
    put_mail(imap_server, "I want a refund for order 7.")
    mailbox = make_mailbox(imap_server, monkeypatch)
    assert poll_mailboxes() == 2
    assert Ticket.objects.count() == 2
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {"imap:support"}
    assert folder_state(imap_server, "INBOX") == (2, 0)  # kept, read
    # The next poll finds nothing new.
    assert mailbox_poll(mailbox=mailbox) == 0 and Ticket.objects.count() == 2
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.last_polled_at is not None


def test_imported_mail_is_moved_to_a_folder(imap_server, monkeypatch, taxonomy):
    client = imaplib.IMAP4(imap_server.host, imap_server.port)
    client.login(imap_server.user, imap_server.password)
    client.create("Imported")
    client.logout()
    put_mail(imap_server, "Where is my parcel? It is late.")
    mailbox = make_mailbox(imap_server, monkeypatch, move_to="Imported")
    assert mailbox_poll(mailbox=mailbox) == 1
    assert folder_state(imap_server, "INBOX") == (0, 0)
    assert folder_state(imap_server, "Imported")[0] == 1


def test_the_same_message_read_again_is_not_a_second_ticket(imap_server, monkeypatch, taxonomy):
    message = EmailMessage()
    message["From"] = "bob@customer.test"
    message["Message-ID"] = "<same.1@customer.test>"
    message["Subject"] = "Twice"
    message.set_content("Where is my parcel?")
    # As after a crash between storing and marking: the message is still unread.
    put_mail(imap_server, "", raw=message.as_bytes())
    put_mail(imap_server, "", raw=message.as_bytes())
    mailbox = make_mailbox(imap_server, monkeypatch)
    assert mailbox_poll(mailbox=mailbox) == 2
    assert Ticket.objects.count() == 1


def test_a_too_large_message_is_left_flagged_in_the_mailbox(
    imap_server, monkeypatch, settings, taxonomy
):
    settings.INBOUND_EMAIL_MAX_BYTES = 2000
    put_mail(imap_server, "x" * 5000)
    mailbox = make_mailbox(imap_server, monkeypatch)
    assert mailbox_poll(mailbox=mailbox) == 0
    assert InboundEmail.objects.count() == 0
    client = imaplib.IMAP4(imap_server.host, imap_server.port)
    client.login(imap_server.user, imap_server.password)
    client.select("INBOX")
    assert client.search(None, "FLAGGED")[1][0] == b"1"
    client.logout()


def test_a_wrong_password_is_recorded_on_the_mailbox(imap_server, monkeypatch, taxonomy):
    # Dovecot also asks its OAuth2 introspection endpoint, which knows no such token.
    imap_server.introspection.respond = lambda path, headers, body: (200, b'{"active": false}')
    put_mail(imap_server, "Where is my parcel?")
    mailbox = make_mailbox(imap_server, monkeypatch)
    monkeypatch.setenv("SD_TEST_IMAP_SECRET", "wrong")
    assert mailbox_poll(mailbox=mailbox) == 0
    mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in mailbox.last_error.upper()
    assert folder_state(imap_server, "INBOX") == (1, 1)  # untouched


def test_xoauth2_gets_a_token_from_the_refresh_token_and_logs_in(
    imap_server, monkeypatch, taxonomy
):
    seen = {}

    def oauth(path: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if path == "/token":  # the provider's token endpoint
            seen["grant"] = form
            ok = form.get("refresh_token") == "the-refresh-token"
            reply = {"access_token": "fresh-access-token", "expires_in": 3600} if ok else {}
            return (200 if ok else 400), json.dumps(reply).encode()
        # Dovecot asking whether the access token is good (OAuth2 introspection).
        good = form.get("token") == "fresh-access-token"
        return 200, json.dumps({"active": good, "username": imap_server.user}).encode()

    imap_server.introspection.respond = oauth
    put_mail(imap_server, "Where is my parcel? It is late.")
    monkeypatch.setenv("SD_TEST_REFRESH_TOKEN", "the-refresh-token")
    monkeypatch.setenv("SD_TEST_CLIENT_SECRET", "client-secret")
    mailbox = Mailbox.objects.create(
        name="gmail",
        host=imap_server.host,
        port=imap_server.port,
        security=Mailbox.Security.NONE,
        username=imap_server.user,
        auth=Mailbox.Auth.XOAUTH2,
        secret_env="SD_TEST_REFRESH_TOKEN",
        oauth2_token_url=imap_server.introspection.url + "/token",
        oauth2_client_id="desk-client",
        oauth2_client_secret_env="SD_TEST_CLIENT_SECRET",
        oauth2_scope="https://mail.google.com/",
    )
    assert mailbox_poll(mailbox=mailbox) == 1, Mailbox.objects.get().last_error
    assert seen["grant"] == {
        "grant_type": "refresh_token",
        "refresh_token": "the-refresh-token",
        "client_id": "desk-client",
        "client_secret": "client-secret",
        "scope": "https://mail.google.com/",
    }
    assert Ticket.objects.count() == 1
