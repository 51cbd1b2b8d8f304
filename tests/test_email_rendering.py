"""The answer e-mail's HTML renders the answer through `message_html` (a cached
`|urlize|linebreaksbr`, channels/templatetags/email_text.py): the customer receives exactly
what the two filters gave, in every language the desk writes in, the first time and the
times after (a cached body)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.utils import translation

from channels.models import OutboundEmail
from channels.services.email_out import answer_email, email_send_answer_for
from tests.api_helpers import answered_ticket
from tickets.models import AuthorKind

TEMPLATE = Path(settings.BASE_DIR) / "templates" / "channels" / "email" / "answer.html"

BODIES = [
    "Hi Ann,\n\nYou can check under https://shop.example.com/account/orders/: if you see only "
    "one order, only one payment was taken.",
    "Write to help@example.com or visit www.example.com/help (it's free) & say <b>hi</b>.\r\n"
    "Second line.\rThird line, a link at the end: http://example.com/a?b=1&c=2.",
    '<script>alert("x")</script> "quoted" \'single\' é ü 日本 — https://例え.jp/パス',
    "",
    "   ",
    "Line one\n\n\nLine four, no link at all.",
]


def _before():
    """The template as it was: the answer's text through urlize and linebreaksbr."""
    source = TEMPLATE.read_text(encoding="utf-8")
    assert "|message_html" in source and "email_text" in source
    source = source.replace("|message_html", "|urlize|linebreaksbr").replace(
        "{% load i18n email_text %}", "{% load i18n %}"
    )
    return engines["django"].from_string(source)


class _Message:  # what the template reads of an answer
    def __init__(self, body: str):
        self.body = body


class _Ticket:
    pk = 42


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("automatic", [True, False])
def test_the_answer_html_is_what_urlize_and_linebreaksbr_gave(language, automatic):
    before, after = _before(), get_template("channels/email/answer.html")
    for body in BODIES:
        context = {
            "message": _Message(body),
            "ticket": _Ticket(),
            "who": "Our automatic assistant" if automatic else "An agent",
            "automatic": automatic,
            "resolved": not automatic,
            "solved_url": "https://desk.example.com/e/feedback/tok?solved=yes",
            "not_solved_url": "https://desk.example.com/e/feedback/tok?solved=no",
            "ticket_url": "https://desk.example.com/portal/tickets/42/",
        }
        with translation.override(language):
            expected = before.render(context)
            assert after.render(context) == expected  # computed
            assert after.render(context) == expected  # from the cache


@pytest.mark.django_db
def test_a_sent_answer_e_mail_is_marked_sent_and_renders_as_before(alice, trained_model):
    ticket = answered_ticket(alice)
    answer = ticket.messages.get(author_kind=AuthorKind.ASSISTANT)
    answer.body = "Hello,\nsee https://shop.example.com/help & tell us.\n<ok>"
    email = answer_email(answer)
    html = email.alternatives[0][0]
    with translation.override("en"):
        block = _before().render(
            {"message": answer, "ticket": ticket, "who": "x", "automatic": True}
        )
    quoted = block.split("<blockquote>")[1].split("</blockquote>")[0]
    assert quoted in html and '<a href="https://shop.example.com/help"' in quoted
    assert "&lt;ok&gt;" in quoted and "<br>" in quoted

    assert email_send_answer_for(answer)
    record = OutboundEmail.objects.get(ticket_message=answer, kind=OutboundEmail.Kind.ANSWER)
    assert record.sent_at is not None and record.sent_at.tzinfo is not None
