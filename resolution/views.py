"""The AI's faces in the portal: the agent's AI panel and the admins' metrics page."""

import logging
from datetime import date, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import agent_required, role_required
from resolution import metrics as desk_metrics
from resolution.policy_panel import certified_panel
from resolution.selectors import intent_names, latest_decision, recent_breaker_trips
from tickets.language import desk_languages, language_label
from tickets.models import EscalationReason, TicketStatus
from tickets.selectors import tickets_visible_to

logger = logging.getLogger(__name__)

admin_required = role_required(lambda user: user.is_admin)

SIMILAR_LIMIT = 3
# Signals shown elsewhere in the panel (similar entries have their own list).
HIDDEN_SIGNALS = {"similar"}


def _suggestions(ticket) -> tuple[list, str, bool]:
    """Similar knowledge entries and a draft. The panel is an aid: if the AI fails, say so."""
    # Imported here, like resolution's signals do: loading the URLconf stays free of the ML stack.
    from resolution.services import suggestions

    try:
        similar = suggestions.similar_for_ticket(ticket, limit=SIMILAR_LIMIT)
        draft = suggestions.draft_answer(ticket)
    except Exception:
        logger.exception("AI suggestions failed for ticket %s", ticket.pk)
        return [], "", False
    return similar, draft, True


@require_GET
@agent_required
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Why the AI decided what it did, and what it suggests. A fragment for the workspace."""
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    decision = latest_decision(ticket)
    similar, draft, available = _suggestions(ticket)
    names = intent_names()
    alternatives = [
        {"intent": intent, "name": names.get(intent, intent), "probability": probability}
        for intent, probability in (decision.alternatives if decision else [])[:3]
    ]
    signals = sorted(
        (key, value)
        for key, value in (decision.signals if decision else {}).items()
        if key not in HIDDEN_SIGNALS
    )
    context = {
        "ticket": ticket,
        "decision": decision,
        "reason_label": dict(EscalationReason.choices).get(decision.reason_code, "")
        if decision
        else "",
        "predicted_name": names.get(decision.predicted_intent, "") if decision else "",
        "alternatives": alternatives,
        "signals": signals,
        "similar": similar,
        "draft": draft,
        "available": available,
        "embedded": bool(request.htmx),
    }
    template = "partials/ai_panel.html" if request.htmx else "resolution/panel.html"
    return render(request, template, context)


MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


ISO_DATE = "%Y-%m-%d"
ISO_DATE_INPUT = forms.DateInput(
    format=ISO_DATE,
    attrs={
        "placeholder": "YYYY-MM-DD",
        "pattern": r"\d{4}-\d{2}-\d{2}",
        "inputmode": "numeric",
        "size": "10",
    },
)


class MetricsRangeForm(forms.Form):
    # ISO dates typed as text, the format the heading shows too: a native date input shows the
    # browser's locale (MM/DD/YYYY in en-US) beside the heading's "2 Nov 2026" (issue 18).
    date_from = forms.DateField(label="From", input_formats=[ISO_DATE], widget=ISO_DATE_INPUT)
    date_to = forms.DateField(label="To", input_formats=[ISO_DATE], widget=ISO_DATE_INPUT)
    language = forms.ChoiceField(label="Language", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", "All languages"),
            *((code, language_label(code)) for code in desk_languages()),
        ]

    @staticmethod
    def default_range(today: date) -> tuple[date, date]:
        """The last 30 days, today included."""
        return today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError("The start date must be on or before the end date.")
            if (end - start).days + 1 > MAX_RANGE_DAYS:
                raise forms.ValidationError(f"Choose a range of at most {MAX_RANGE_DAYS} days.")
        return cleaned


OUTCOME_SERIES = [
    (TicketStatus.AUTO_RESOLVED.value, "Answered automatically"),
    (TicketStatus.RESOLVED.value, "Resolved by an agent"),
    (TicketStatus.ESCALATED.value, "Waiting for an agent"),
    (TicketStatus.OPEN.value, "Not decided yet"),
]


@require_http_methods(["GET", "POST"])
@admin_required
def metrics(request: HttpRequest) -> HttpResponse:
    """The desk's numbers as charts, for the tickets created in a date range.

    POST saves the decision policy (resolution/policy_panel.py)."""
    date_from, date_to = MetricsRangeForm.default_range(timezone.localdate())
    language = None
    if request.GET:
        form = MetricsRangeForm(request.GET)
        if form.is_valid():
            date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
            language = form.cleaned_data["language"] or None
    else:
        form = MetricsRangeForm(initial={"date_from": date_from, "date_to": date_to})
    certified, saved = certified_panel(request, date_from=date_from, date_to=date_to)
    if saved is not None:
        return saved

    summary = desk_metrics.metrics_summary(date_from=date_from, date_to=date_to, language=language)
    daily = desk_metrics.metrics_daily(date_from=date_from, date_to=date_to, language=language)
    intents = summary["intents"]
    context = {
        "form": form,
        "date_from": date_from,
        "date_to": date_to,
        "summary": summary,
        "csat_tables": [
            ("agent", summary["csat"]["by_agent"]),
            ("team", summary["csat"]["by_team"]),
            ("intent", summary["csat"]["by_intent"]),
        ],
        "outcome_rows": [{"date": row["date"], "values": row["by_status"]} for row in daily],
        "outcome_series": OUTCOME_SERIES,
        "auto_rate_points": [(row["date"], row["auto_resolution_rate"]) for row in daily],
        "rating_points": [(row["date"], row["average_rating"]) for row in daily],
        "reason_bars": [
            {"label": row["label"], "value": row["count"]} for row in summary["escalation_reasons"]
        ],
        "intent_volume_bars": [{"label": row["name"], "value": row["total"]} for row in intents],
        "intent_confidence_bars": [
            {"label": row["name"], "value": row["mean_confidence"]} for row in intents
        ],
        "intents": intents,
        "certified": certified,
        "breaker_trips": recent_breaker_trips(),
    }
    return render(request, "resolution/metrics.html", context, status=certified.status)
