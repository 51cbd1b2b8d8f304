"""Files attached to a ticket's messages: checked (size, type read from the bytes) and stored
through Django's storage API. One service for the portal, the API and e-mail."""

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from tickets.errors import InvalidInput
from tickets.models import Attachment, Message, Ticket


def sniff_content_type(data: bytes) -> str:
    """The type the bytes say they are (magic numbers), not what the sender claimed.

    Plain text has no magic number: UTF-8 without NUL bytes is text/plain.
    """
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return kind.mime
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain" if b"\x00" not in data else "application/octet-stream"


def _safe_filename(name: str) -> str:
    """The name without any path or control characters, for display and Content-Disposition."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>').strip(" .")
    return cleaned[:255] or "attachment"


@transaction.atomic
def attachment_add(
    *, ticket: Ticket, message: Message | None, filename: str, content_type: str, data: bytes
) -> Attachment:
    """Check and store one file. Too large, too many or a refused type: InvalidInput."""
    name = _safe_filename(filename)
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            f"{name} is too large ({len(data)} bytes; at most {settings.ATTACHMENT_MAX_BYTES}).",
            details={"attachments": [f"at most {settings.ATTACHMENT_MAX_BYTES} bytes"]},
        )
    if not data:
        raise InvalidInput(f"{name} is empty.", details={"attachments": ["empty file"]})
    if (
        message is not None
        and Attachment.objects.filter(message=message).count()
        >= settings.ATTACHMENT_MAX_PER_MESSAGE
    ):
        raise InvalidInput(
            f"At most {settings.ATTACHMENT_MAX_PER_MESSAGE} files per message.",
            details={"attachments": [f"at most {settings.ATTACHMENT_MAX_PER_MESSAGE} files"]},
        )
    sniffed = sniff_content_type(data)
    if sniffed not in settings.ATTACHMENT_CONTENT_TYPES:
        raise InvalidInput(
            f"{name}: files of type {sniffed} are not accepted.",
            details={"attachments": [f"type {sniffed} not accepted"]},
        )
    attachment = Attachment(
        ticket=ticket, message=message, filename=name, content_type=sniffed, size=len(data)
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment
