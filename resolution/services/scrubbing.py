"""Knowledge without anyone's personal data: the database side of `resolution.engine.scrub`.

`knowledge_text_scrub` is the one call every path that stores knowledge text goes through
(learning from a resolution, the review page's edit, Django admin); `knowledge_entry_check`
is what the review shows and what approval enforces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from accounts.models import User
from resolution.engine.scrub import (
    Finding,
    Person,
    Scrubbed,
    render_placeholders,
    residual,
    scrub,
)
from tickets.models import Ticket

# Who "another customer" is on the review page's preview.
SAMPLE_CUSTOMER = {"first_name": "Sam", "full_name": "Sam Sample"}


def person_from_user(user: User | None, *, role: str) -> Person | None:
    """What the desk has on file about `user`: today the name and the e-mail address."""
    if user is None:
        return None
    return Person(role=role, full_name=user.full_name or "", emails=(user.email,))  # type: ignore[arg-type]


def ticket_people(ticket: Ticket | None, *, agent: User | None = None) -> list[Person]:
    """The people whose data a ticket's text may hold: its customer and the answering agent(s)."""
    people: list[Person | None] = []
    if ticket is not None:
        people.append(person_from_user(ticket.customer, role="customer"))
        if ticket.assigned_agent_id and (agent is None or ticket.assigned_agent_id != agent.pk):
            people.append(person_from_user(ticket.assigned_agent, role="agent"))
    people.append(person_from_user(agent, role="agent"))
    return [p for p in people if p is not None]


def allowed_text() -> list[str]:
    """The desk's own contact details (not personal data): never scrubbed, never flagged."""
    return [settings.DEFAULT_FROM_EMAIL, *settings.KNOWLEDGE_SCRUB_ALLOW]


@dataclass(frozen=True)
class ScrubbedEntry:
    question: Scrubbed
    answer: Scrubbed


def knowledge_text_scrub(
    *, question: str, answer: str, people: Sequence[Person] = ()
) -> ScrubbedEntry:
    """A knowledge entry's question and answer as they may be stored: scrubbed."""
    allow = allowed_text()
    return ScrubbedEntry(
        question=scrub(question, people=people, voice="question", allow=allow),
        answer=scrub(answer, people=people, voice="answer", allow=allow),
    )


# --- review --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    flag: str = ""  # the kind of personal data suspected here, or "" for plain text


@dataclass(frozen=True)
class FieldCheck:
    segments: tuple[Segment, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class EntryCheck:
    question: FieldCheck
    answer: FieldCheck

    @property
    def suspicious(self) -> list[Finding]:
        return [*self.question.findings, *self.answer.findings]


def _check(text: str, people: Sequence[Person]) -> FieldCheck:
    """The text as a sample customer receives it, cut where the residual detector points.

    The detector reads the stored text (placeholders are not personal data; the sample name
    they render to would look like one); only the plain segments are rendered.
    """
    text = text or ""
    findings = residual(text, people=people, allow=allowed_text())
    segments, last = [], 0
    for f in findings:
        if f.start > last:
            segments.append(Segment(render_for(text[last : f.start], **SAMPLE_CUSTOMER)))
        segments.append(Segment(text[f.start : f.end], flag=f.kind.replace("_", " ")))
        last = f.end
    if last < len(text):
        segments.append(Segment(render_for(text[last:], **SAMPLE_CUSTOMER)))
    return FieldCheck(segments=tuple(segments), findings=tuple(findings))


def knowledge_entry_check(
    *, question: str, answer: str, people: Sequence[Person] = ()
) -> EntryCheck:
    """What the review shows: the entry rendered for another customer, suspicious parts marked."""
    return EntryCheck(question=_check(question, people), answer=_check(answer, people))


def render_for(text: str, *, first_name: str, full_name: str) -> str:
    from resolution.services.answer_context import shop_profile  # the shop's links, cached

    return render_placeholders(
        text or "", first_name=first_name, full_name=full_name, shop=shop_profile.get()
    )


def render_for_user(text: str, user: User | None) -> str:
    """Knowledge text as `user` receives it (their name in the placeholders)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return render_for(text, first_name="", full_name="")
    return render_for(text, first_name=user.get_short_name(), full_name=user.full_name)
