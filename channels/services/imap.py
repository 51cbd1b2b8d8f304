"""The IMAP door: read a mailbox's unread mail into `email_ingest`, then move or mark it.

imap-tools logs in (password, or XOAUTH2 for Gmail / Microsoft 365), selects the folder and
moves or flags messages; the message itself is fetched raw (BODY.PEEK[]), byte for byte, so
what is stored is what the server holds. A message is moved or marked read only after it was
stored: a crash in between means it is read again next time, and the Message-ID check makes
that a no-op, never a second ticket.
"""

import logging
import os

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessageFlags,
)

from channels.models import Mailbox
from channels.services.email_in import EmailRefused, email_ingest

logger = logging.getLogger(__name__)

BATCH = 100  # messages per mailbox per poll: one full mailbox cannot hold the worker for long


class MailboxConfigError(Exception):
    pass


def _secret(name: str) -> str:
    value = os.environ.get(name or "", "")
    if not value:
        raise MailboxConfigError(f"The environment variable {name!r} is not set.")
    return value


def oauth2_access_token(mailbox: Mailbox) -> str:
    """A fresh access token from the refresh token (OAuth2 refresh_token grant), cached until
    a minute before it expires."""
    key = f"channels:imap-token:{mailbox.pk}"
    if token := cache.get(key):
        return token
    if not mailbox.oauth2_token_url or not mailbox.oauth2_client_id:
        raise MailboxConfigError("XOAUTH2 needs the token URL and the client id.")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": _secret(mailbox.secret_env),
        "client_id": mailbox.oauth2_client_id,
    }
    if mailbox.oauth2_client_secret_env:
        form["client_secret"] = _secret(mailbox.oauth2_client_secret_env)
    if mailbox.oauth2_scope:
        form["scope"] = mailbox.oauth2_scope
    response = requests.post(
        mailbox.oauth2_token_url, data=form, timeout=settings.IMAP_TIMEOUT_SECONDS
    )
    if response.status_code != 200:
        raise MailboxConfigError(
            f"The token endpoint said {response.status_code}: {response.text[:200]}"
        )
    body = response.json()
    token = body["access_token"]
    lifetime = int(body.get("expires_in", 3600))
    cache.set(key, token, max(lifetime - 60, 1))
    return token


def _connect(mailbox: Mailbox) -> BaseMailBox:
    timeout = settings.IMAP_TIMEOUT_SECONDS
    if mailbox.security == Mailbox.Security.SSL:
        client = MailBox(mailbox.host, mailbox.port, timeout=timeout)
    elif mailbox.security == Mailbox.Security.STARTTLS:
        client = MailBoxStartTls(mailbox.host, mailbox.port, timeout=timeout)
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)
    if mailbox.auth == Mailbox.Auth.XOAUTH2:
        return client.xoauth2(mailbox.username, oauth2_access_token(mailbox), mailbox.folder)
    return client.login(mailbox.username, _secret(mailbox.secret_env), mailbox.folder)


def _fetch_raw(box: BaseMailBox, uid: str) -> bytes | None:
    status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def mailbox_poll(*, mailbox: Mailbox) -> int:
    """Import the unread mail of one mailbox. Returns how many messages were stored."""
    stored = 0
    error = ""
    try:
        with _connect(mailbox) as box:
            for uid in box.uids(AND(seen=False))[:BATCH]:
                raw = _fetch_raw(box, uid)
                if raw is None:
                    continue
                try:
                    email_ingest(raw=raw, source=f"imap:{mailbox.name}"[:32], mailbox=mailbox)
                except EmailRefused:
                    # Too large to take: left in the mailbox, flagged for a person to look at.
                    box.flag(uid, [MailMessageFlags.SEEN, MailMessageFlags.FLAGGED], True)
                    continue
                stored += 1
                if mailbox.move_to:
                    box.move(uid, mailbox.move_to)
                else:
                    box.flag(uid, MailMessageFlags.SEEN, True)
    except Exception as exc:  # server down, bad login: recorded on the mailbox, retried next poll
        logger.exception("Polling mailbox %s failed", mailbox.name)
        error = f"{type(exc).__name__}: {exc}"[:1000]
    mailbox.last_polled_at = timezone.now()
    mailbox.last_error = error
    mailbox.save(update_fields=["last_polled_at", "last_error"])
    return stored
