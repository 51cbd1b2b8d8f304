"""The desk's own e-mail identity: its addresses, the Message-IDs it mints, reply tokens."""

import re
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

# Our Message-IDs end with this tag before the domain, so mail of ours that comes back is known.
_ID_TAG = "supportdesk"
_TOKEN_SALT = "channels.reply-address"  # noqa: S105 (a salt, not a secret)
_PLUS_TOKEN = re.compile(r"\+t(\d{1,18})-([0-9a-f]{12})@")
SUBJECT_TOKEN = re.compile(r"\[SupportDesk #(\d{1,18})\]")


def _address(value: str) -> str:
    return parseaddr(value)[1].lower()


def from_address() -> str:
    return _address(settings.DEFAULT_FROM_EMAIL)


def reply_base_address() -> str:
    return _address(settings.EMAIL_REPLY_ADDRESS) or from_address()


def message_id_domain() -> str:
    return settings.EMAIL_MESSAGE_ID_DOMAIN or from_address().rpartition("@")[2] or "localhost"


def own_addresses() -> set[str]:
    return {address for address in (from_address(), reply_base_address()) if address}


def own_message_id_suffix() -> str:
    return f".{_ID_TAG}@{message_id_domain()}>"


def mint_message_id() -> str:
    return make_msgid(idstring=_ID_TAG, domain=message_id_domain())


def _signature(ticket_id: int) -> str:
    return salted_hmac(_TOKEN_SALT, str(ticket_id)).hexdigest()[:12]


def reply_address(ticket_id: int) -> str:
    """Where the customer's reply to this ticket's e-mails should go."""
    base = reply_base_address()
    if not settings.EMAIL_REPLY_PLUS_TOKEN or "@" not in base:
        return base
    local, _, domain = base.partition("@")
    return f"{local}+t{ticket_id}-{_signature(ticket_id)}@{domain}"


def ticket_from_reply_address(addresses: list[str]) -> int | None:
    """The ticket a signed plus-address names, if one of `addresses` is such an address."""
    for address in addresses:
        match = _PLUS_TOKEN.search(address)
        if match and constant_time_compare(match[2], _signature(int(match[1]))):
            return int(match[1])
    return None


def ticket_from_subject(subject: str) -> int | None:
    match = SUBJECT_TOKEN.search(subject or "")
    return int(match[1]) if match else None
