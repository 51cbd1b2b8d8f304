"""Reading one RFC 822 message: who sent it, what it answers, its new text, its files, and
whether a machine wrote it. No database here: bytes in, a ParsedEmail out.

Python's `email` package parses (with the modern policy, which records defects instead of
raising on most malformed input); every read of a header or a part is still guarded, because
hostile mail finds the corners (unknown charsets, broken base64, address headers that do not
parse). What cannot be read becomes empty, never an exception for the caller.
"""

import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import html2text
from mailparser_reply import EmailReplyParser

logger = logging.getLogger(__name__)

# The languages whose "On … wrote:" and sign-off lines the reply parser knows.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt"]

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes


@dataclass
class ParsedEmail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sender: str = ""
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""  # the whole text part (or the HTML part as text)
    reply_text: str = ""  # the text with quoted history and signature removed
    attachments: list[ParsedAttachment] = field(default_factory=list)
    automatic: str = ""  # why a machine sent it ("" for a person): never answered
    defects: list[str] = field(default_factory=list)


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception as error:  # a header the policy cannot parse at all
        logger.info("Unreadable %s header: %s", name, error)
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def _addresses(message: Message, *names: str) -> list[str]:
    values = [_header(message, name) for name in names]
    return [address.lower() for _, address in getaddresses([v for v in values if v]) if address]


def html_to_text(html: str) -> str:
    """Text of an HTML body. html2text drops <script> and <style> with their content."""
    converter = html2text.HTML2Text()
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.body_width = 0  # keep the sender's lines
    return converter.handle(html)


def _part_text(part: Message) -> str:
    try:
        return part.get_content()
    except Exception:  # unknown charset, bad transfer encoding: decode what we can
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _body_text(message: EmailMessage) -> str:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body = None
    if body is None:
        return ""
    text = _part_text(body)
    if body.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\x00", "").strip()


def strip_reply(text: str) -> str:
    """The new text of a reply: quoted history and the signature removed (the raw is kept)."""
    if not text.strip():
        return ""
    try:
        replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(text=text).replies
    except Exception:  # the parser is heuristic: its failure keeps the whole text
        logger.exception("The reply parser failed; keeping the whole text")
        return text.strip()
    body = (replies[0].body if replies else "").strip()
    return body or text.strip()


def _attachments(message: EmailMessage) -> list[ParsedAttachment]:
    found = []
    try:
        parts = list(message.iter_attachments()) if message.is_multipart() else []
    except Exception:
        return found
    stack = parts
    while stack:
        part = stack.pop(0)
        if part.is_multipart():  # a forwarded message or nested multipart: look inside
            try:
                stack.extend(part.iter_parts())
            except Exception as error:
                logger.info("Unreadable nested part skipped: %s", error)
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception as error:
            logger.info("Undecodable attachment skipped: %s", error)
            continue
        filename = part.get_filename() or "attachment"
        found.append(
            ParsedAttachment(
                filename=str(filename)[:255], content_type=part.get_content_type(), payload=payload
            )
        )
    return found


def automatic_reason(
    message: Message, sender: str, own_addresses: set[str], own_id_suffix: str = ""
) -> str:
    """Why this mail was written by a machine ("" when by a person).

    RFC 3834 (Auto-Submitted), the de-facto Precedence and Microsoft's X-Auto-Response-Suppress
    / X-Autoreply, a null Return-Path or a delivery report (bounces), List-* headers
    (mailing lists), and mail from our own addresses (loops).
    """
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"auto-submitted: {auto_submitted[:40]}"
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence: {precedence}"
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return "auto-reply"
    if _header(message, "X-Auto-Response-Suppress").lower() in ("all", "oof", "autoreply"):
        return "auto-reply (x-auto-response-suppress)"
    return_path = _header(message, "Return-Path")
    if return_path.strip() == "<>":
        return "bounce (null return-path)"
    if message.get_content_type() == "multipart/report":
        return "bounce (delivery report)"
    local = sender.split("@")[0]
    if local in ("mailer-daemon", "postmaster") or not sender:
        return "bounce (mailer-daemon)" if sender else "no sender"
    for name in ("List-Id", "List-Unsubscribe", "List-Post", "List-Help"):
        if _header(message, name):
            return f"mailing list ({name.lower()})"
    if sender in own_addresses:
        return "loop (sent by the desk itself)"
    if own_id_suffix and _header(message, "Message-ID").endswith(own_id_suffix):
        return "loop (our own Message-ID)"
    return ""


def parse_email(raw: bytes, *, own_addresses: set[str], own_id_suffix: str = "") -> ParsedEmail:
    """Everything the desk reads from one message; never raises for bad input."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    name, sender = parseaddr(_header(message, "From"))
    sender = sender.lower() if "@" in sender else ""
    text = _body_text(message)
    message_ids = _message_ids(_header(message, "Message-ID"))
    parsed = ParsedEmail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_message_ids(_header(message, "In-Reply-To")),
        references=_message_ids(_header(message, "References")),
        sender=sender,
        sender_name=" ".join(name.split())[:150],
        recipients=_addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"),
        subject=_header(message, "Subject"),
        text=text,
        reply_text=strip_reply(text),
        attachments=_attachments(message),
        defects=[type(defect).__name__ for defect in message.defects][:10],
    )
    parsed.automatic = automatic_reason(message, sender, own_addresses, own_id_suffix)
    return parsed
