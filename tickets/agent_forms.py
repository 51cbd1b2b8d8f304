"""Forms of the agents' pages: the queue's filters and the reply box.

They validate input and describe it; the work is done by `tickets.services`.
"""

from django import forms
from django.db.models import Q, QuerySet

from accounts.models import User
from tickets.attachments import files_from_uploads
from tickets.forms import MultipleFileField
from tickets.language import desk_languages, language_label
from tickets.models import EscalationReason, Ticket
from tickets.services import MAX_MESSAGE_LENGTH, known_intent_slugs

MAX_CUSTOMER_MATCHES = 300
MAX_TICKET_ID_DIGITS = 18


def _intent_choices(empty_label: str) -> list[tuple[str, str]]:
    return [("", empty_label)] + [(slug, slug) for slug in sorted(known_intent_slugs())]


class QueueFilterForm(forms.Form):
    """The escalation queue's filters. Every field is optional; an invalid value is ignored."""

    ASSIGNED_ANY = ""
    ASSIGNED_MINE = "mine"
    ASSIGNED_NOBODY = "unassigned"
    LANGUAGE_OTHER = "other"

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Words, e-mail or #id", "autocomplete": "off"}
        ),
    )
    intent = forms.ChoiceField(label="Intent", required=False)
    reason = forms.ChoiceField(
        label="Reason",
        required=False,
        choices=[("", "Any reason"), *EscalationReason.choices],
    )
    language = forms.ChoiceField(label="Language", required=False)
    assigned = forms.ChoiceField(
        label="Assignee",
        required=False,
        choices=[
            (ASSIGNED_ANY, "Anyone"),
            (ASSIGNED_MINE, "Mine"),
            (ASSIGNED_NOBODY, "Unassigned"),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intent"].choices = _intent_choices("Any intent")
        self.fields["language"].choices = [
            ("", "Any language"),
            *((code, language_label(code)) for code in desk_languages()),
            (self.LANGUAGE_OTHER, "Languages not served"),
        ]

    def filter(self, tickets: QuerySet[Ticket], *, user: User) -> QuerySet[Ticket]:
        """Narrow `tickets` by the valid filters; invalid ones are dropped, not fatal."""
        if not self.is_valid():
            valid = {name: value for name, value in self.cleaned_data.items() if value}
        else:
            valid = self.cleaned_data
        if intent := valid.get("intent"):
            tickets = tickets.filter(intent=intent)
        if reason := valid.get("reason"):
            tickets = tickets.filter(escalation_reason=reason)
        if language := valid.get("language"):
            if language == self.LANGUAGE_OTHER:
                tickets = tickets.exclude(language__in=[*desk_languages(), ""])
            else:
                tickets = tickets.filter(language=language)
        assigned = valid.get("assigned")
        if assigned == self.ASSIGNED_MINE:
            tickets = tickets.filter(assigned_agent=user)
        elif assigned == self.ASSIGNED_NOBODY:
            tickets = tickets.filter(assigned_agent__isnull=True)
        if text := (valid.get("q") or "").strip():
            tickets = tickets.filter(self._search(text))
        return tickets

    @staticmethod
    def _search(text: str) -> Q:
        condition = Q(subject__icontains=text) | Q(message__icontains=text)
        # The customers whose e-mail or name matches, looked up first: the ticket query then has
        # only conditions on its own columns, which indexes serve (an OR across a join cannot
        # use any; migration 0004). Past a few hundred customers, the join it is.
        customers = list(
            User.objects.filter(Q(email__icontains=text) | Q(full_name__icontains=text))
            .order_by()
            .values_list("id", flat=True)[: MAX_CUSTOMER_MATCHES + 1]
        )
        if len(customers) <= MAX_CUSTOMER_MATCHES:
            condition |= Q(customer_id__in=customers)
        else:
            condition |= Q(customer__email__icontains=text) | Q(customer__full_name__icontains=text)
        number = text.removeprefix("#")
        # isdigit() alone also accepts "²" and other digits int() refuses; past 18 digits the
        # number overflows the id column (a 500 on PostgreSQL and SQLite alike).
        if number.isascii() and number.isdigit() and len(number) <= MAX_TICKET_ID_DIGITS:
            condition |= Q(pk=int(number))
        return condition


class AgentReplyForm(forms.Form):
    """One box, three buttons: reply, reply and resolve, or keep an internal note."""

    REPLY = "reply"
    RESOLVE = "resolve"
    NOTE = "note"

    body = forms.CharField(
        label="Your reply",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(label="Attach files (optional)")
    corrected_intent = forms.ChoiceField(label="Intent", required=False)
    add_to_knowledge = forms.BooleanField(
        label="Add this answer to the knowledge base",
        required=False,
        help_text="The customer's question and your answer will help answer similar tickets.",
    )
    # Sent by the clicked submit button (name="action"); a bare submit means "reply".
    action = forms.ChoiceField(
        required=False,
        choices=[(REPLY, "Send reply"), (RESOLVE, "Send and resolve"), (NOTE, "Add internal note")],
    )

    def __init__(self, *args, ticket: Ticket, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = ticket.intent or "unknown"
        self.fields["corrected_intent"].choices = _intent_choices(f"Keep: {current}")

    def clean_body(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; store them as the API does, LF.
        return self.cleaned_data["body"].replace("\r\n", "\n")

    def clean_action(self) -> str:
        return self.cleaned_data.get("action") or self.REPLY

    def service_arguments(self) -> dict:
        """The keyword arguments of `ticket_agent_reply`, from the cleaned data."""
        action = self.cleaned_data["action"]
        return {
            "body": self.cleaned_data["body"],
            "internal": action == self.NOTE,
            "resolve": action == self.RESOLVE,
            "corrected_intent": self.cleaned_data["corrected_intent"],
            "add_to_knowledge": self.cleaned_data["add_to_knowledge"],
            "attachments": files_from_uploads(self.cleaned_data["attachments"]),
        }
