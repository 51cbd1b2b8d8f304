"""Forms of the agents' pages: the queue's filters and the reply box.

They validate input and describe it; the work is done by `tickets.services`.
"""

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.models import Role, User
from tickets.attachments import files_from_uploads
from tickets.bulk import BulkAction
from tickets.forms import MultipleFileField
from tickets.language import desk_languages, language_label
from tickets.models import EscalationReason, Macro, Priority, Tag, Team, Ticket
from tickets.selectors import QueueView
from tickets.services import MAX_MESSAGE_LENGTH, known_intent_names, known_intent_slugs

MAX_CUSTOMER_MATCHES = 300
MAX_TICKET_ID_DIGITS = 18


class PlainSelect(forms.Select):
    """A <select> whose options are written in Python. Hand-written because Django renders
    every <option> through a template, and the queue page has ~130 of them (intents, reasons,
    agents, ...) on every load: about a third of the page's server time (bench/queue_pages.py).
    The markup is the one Django's template writes."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", label)
                for _, group, _ in widget["optgroups"]
                for option in group
                for label in [option["label"]]
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


def _intent_choices(empty_label: str) -> list[tuple[str, str]]:
    """The active intents by name (a slug is cut off in a narrow dropdown and says less)."""
    names = known_intent_names()
    slugs = sorted(known_intent_slugs(), key=lambda slug: names.get(slug, slug).lower())
    return [("", empty_label)] + [(slug, names.get(slug, slug)) for slug in slugs]


class QueueFilterForm(forms.Form):
    """The queue's view and filters. Every field is optional; an invalid value is ignored."""

    ASSIGNED_ANY = ""
    ASSIGNED_MINE = "mine"
    ASSIGNED_NOBODY = "unassigned"
    LANGUAGE_OTHER = "other"

    view = forms.ChoiceField(
        label="View", required=False, choices=QueueView.choices, widget=forms.HiddenInput
    )
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Words, e-mail or #id", "autocomplete": "off"}
        ),
    )
    intent = forms.ChoiceField(label="Intent", required=False, widget=PlainSelect)
    reason = forms.ChoiceField(
        label="Reason",
        required=False,
        choices=[("", "Any reason"), *EscalationReason.choices],
        widget=PlainSelect,
    )
    priority = forms.ChoiceField(
        label="Priority",
        required=False,
        choices=[("", "Any priority"), *Priority.choices],
        widget=PlainSelect,
    )
    tag = forms.ModelChoiceField(
        label="Tag",
        required=False,
        queryset=Tag.objects.all(),
        to_field_name="name",
        empty_label="Any tag",
        widget=PlainSelect,
    )
    team = forms.ModelChoiceField(
        label="Team",
        required=False,
        queryset=Team.objects.all(),
        empty_label="Any team",
        widget=PlainSelect,
    )
    language = forms.ChoiceField(label="Language", required=False, widget=PlainSelect)
    assigned = forms.ChoiceField(
        label="Assignee",
        required=False,
        choices=[
            (ASSIGNED_ANY, "Anyone"),
            (ASSIGNED_MINE, "Mine"),
            (ASSIGNED_NOBODY, "Unassigned"),
        ],
        widget=PlainSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intent"].choices = _intent_choices("Any intent")
        self.fields["language"].choices = [
            ("", "Any language"),
            *((code, language_label(code)) for code in desk_languages()),
            (self.LANGUAGE_OTHER, "Languages not served"),
        ]

    @property
    def view_name(self) -> str:
        """The chosen view; "escalated" (the queue of old) when none or an unknown one."""
        value = self.data.get("view", "")
        return value if value in QueueView.values else QueueView.ESCALATED

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
        if priority := valid.get("priority"):
            tickets = tickets.filter(priority=priority)
        if tag := valid.get("tag"):
            tickets = tickets.filter(tags=tag)
        if team := valid.get("team"):
            tickets = tickets.filter(team=team)
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

    def has_filters(self) -> bool:
        """Whether anything but the view narrows the list."""
        return any(self.data.get(name) for name in self.fields if name != "view")

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
    RESOLVE_NEXT = "resolve_next"
    NOTE = "note"

    body = forms.CharField(
        label="Your reply",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "data-shortcut": "r n"}),
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
        choices=[
            (REPLY, "Send reply"),
            (RESOLVE, "Send and resolve"),
            (RESOLVE_NEXT, "Send, resolve and next"),
            (NOTE, "Add internal note"),
        ],
    )

    # The macro the reply was made from (the picker sets it): its field actions apply on send.
    macro = forms.ModelChoiceField(
        queryset=Macro.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, ticket: Ticket, macros=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = known_intent_names().get(ticket.intent, ticket.intent) or "unclassified"
        self.fields["corrected_intent"].choices = _intent_choices(f"Keep: {current}")
        if macros is not None:
            self.fields["macro"].queryset = macros

    def clean_body(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; store them as the API does, LF.
        return self.cleaned_data["body"].replace("\r\n", "\n")

    def clean_action(self) -> str:
        return self.cleaned_data.get("action") or self.REPLY

    @property
    def resolves(self) -> bool:
        return self.cleaned_data["action"] in (self.RESOLVE, self.RESOLVE_NEXT)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("add_to_knowledge") and data.get("action") not in (
            self.RESOLVE,
            self.RESOLVE_NEXT,
        ):
            self.add_error(
                "add_to_knowledge",
                "An answer goes to the knowledge base when it resolves the ticket: "
                "use “Send and resolve”, or untick the box.",
            )
        return data

    def service_arguments(self) -> dict:
        """The keyword arguments of `ticket_agent_reply`, from the cleaned data."""
        action = self.cleaned_data["action"]
        return {
            "body": self.cleaned_data["body"],
            "internal": action == self.NOTE,
            "resolve": self.resolves,
            "corrected_intent": self.cleaned_data["corrected_intent"],
            "add_to_knowledge": self.cleaned_data["add_to_knowledge"],
            "attachments": files_from_uploads(self.cleaned_data["attachments"]),
        }


class BulkActionForm(forms.Form):
    """The queue's bulk bar: the ticked tickets, an action, and its value where it needs one."""

    tickets = forms.TypedMultipleChoiceField(coerce=int, required=True)
    action = forms.ChoiceField(
        label="With the selected", choices=BulkAction.choices, widget=PlainSelect
    )
    agent = forms.ModelChoiceField(
        label="Assign to",
        required=False,
        queryset=User.objects.none(),
        empty_label="Nobody (unassign)",
        widget=PlainSelect,
    )
    team = forms.ModelChoiceField(
        label="Team to assign",
        required=False,
        queryset=Team.objects.all(),
        empty_label="No team",
        widget=PlainSelect,
    )
    tag = forms.CharField(label="Tag to add", required=False, max_length=50)
    priority = forms.ChoiceField(
        label="New priority", required=False, choices=Priority.choices, widget=PlainSelect
    )

    def __init__(self, *args, **kwargs) -> None:
        # Its own ids: the filter form on the same page has fields of the same names.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.AGENT, Role.ADMIN]
        ).order_by("full_name", "email")
        # Any id: the service checks each against what the agent may see.
        self.fields["tickets"].valid_value = lambda value: True

    def service_arguments(self) -> dict:
        """`tickets_bulk_apply`'s keyword arguments (but the actor)."""
        data = self.cleaned_data
        action = data["action"]
        value = {
            BulkAction.ASSIGN: str(data["agent"].pk) if data["agent"] else "",
            BulkAction.TEAM: str(data["team"].pk) if data["team"] else "",
            BulkAction.TAG: data["tag"],
            BulkAction.PRIORITY: data["priority"],
        }.get(action, "")
        return {"ticket_ids": data["tickets"], "action": action, "value": value}


class SavedViewForm(forms.Form):
    name = forms.CharField(label="Name this view", max_length=60)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
