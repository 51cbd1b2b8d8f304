"""Files attached to a ticket's messages: checked (size, type read from the bytes) and stored
through Django's storage API. One service for the portal, the API and e-mail."""

from collections.abc import Sequence
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import InvalidInput
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


@dataclass(frozen=True)
class NewFile:
    """A file on its way in (an upload, an e-mail part): its name and bytes."""

    filename: str
    data: bytes

    @property
    def content_type(self) -> str:
        return sniff_content_type(self.data)

    @property
    def is_audio(self) -> bool:
        # Browsers record voice as WebM, which the magic numbers call video/webm.
        return self.content_type.startswith("audio/") or self.content_type == "video/webm"


def files_from_uploads(uploads) -> list[NewFile]:
    """Uploaded files (Django's UploadedFile) as NewFiles. Reads at most one byte past the
    limit of each, so an oversized upload is refused without holding it all in memory."""
    files = []
    for upload in uploads:
        upload.seek(0)
        files.append(
            NewFile(filename=upload.name, data=upload.read(settings.ATTACHMENT_MAX_BYTES + 1))
        )
    return files


def _safe_filename(name: str) -> str:
    """The name without any path or control characters, for display and Content-Disposition."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>').strip(" .")
    return cleaned[:255] or "attachment"


def too_many_files() -> str:
    return _("At most %(count)d files per message.") % {
        "count": settings.ATTACHMENT_MAX_PER_MESSAGE
    }


def attachments_check(files: Sequence[NewFile]) -> None:
    """Refuse the lot before anything is stored: too many, too large, or a refused type."""
    if len(files) > settings.ATTACHMENT_MAX_PER_MESSAGE:
        raise InvalidInput(
            too_many_files(),
            details={"attachments": [f"at most {settings.ATTACHMENT_MAX_PER_MESSAGE} files"]},
        )
    for file in files:
        _check(_safe_filename(file.filename), file.data)


def _check(name: str, data: bytes) -> str:
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            _("%(name)s is too large (%(size)d bytes; at most %(max)d).")
            % {"name": name, "size": len(data), "max": settings.ATTACHMENT_MAX_BYTES},
            details={"attachments": [f"at most {settings.ATTACHMENT_MAX_BYTES} bytes"]},
        )
    if not data:
        raise InvalidInput(
            _("%(name)s is empty.") % {"name": name}, details={"attachments": ["empty file"]}
        )
    sniffed = sniff_content_type(data)
    if sniffed not in settings.ATTACHMENT_CONTENT_TYPES:
        raise InvalidInput(
            _("%(name)s: files of type %(type)s are not accepted.")
            % {"name": name, "type": sniffed},
            details={"attachments": [f"type {sniffed} not accepted"]},
        )
    return sniffed


@transaction.atomic
def attachment_add(
    *,
    ticket: Ticket,
    message: Message | None,
    filename: str,
    data: bytes,
    content_type: str = "",
    transcript: str = "",
) -> Attachment:
    """Check and store one file. Too large, too many or a refused type: InvalidInput."""
    name = _safe_filename(filename)
    sniffed = _check(name, data)  # `content_type`, the sender's claim, is not trusted
    if (
        message is not None
        and Attachment.objects.filter(message=message).count()
        >= settings.ATTACHMENT_MAX_PER_MESSAGE
    ):
        raise InvalidInput(
            too_many_files(),
            details={"attachments": [f"at most {settings.ATTACHMENT_MAX_PER_MESSAGE} files"]},
        )
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=name,
        content_type=sniffed,
        size=len(data),
        transcript=transcript,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment
