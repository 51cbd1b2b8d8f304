"""The autonomy page (admins): each intent's mode and live precision; and the agents' "discard
the AI's draft" button. Plain forms, POST/redirect/GET; resolution/services/autonomy.py decides.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import agent_required, role_required
from common.errors import ServiceError
from resolution.models import AutonomyMode, Intent
from resolution.selectors import autonomy_overview, recent_breaker_trips
from resolution.services.autonomy import draft_discard, intent_autonomy_set
from tickets.selectors import tickets_visible_to

admin_required = role_required(lambda user: user.is_admin)


class AutonomyModeForm(forms.Form):
    mode = forms.ChoiceField(label="Mode", choices=AutonomyMode.choices, required=False)


def _page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    earned, rows = autonomy_overview()
    context = {
        "earned_autonomy": earned,
        "rows": rows,
        "modes": AutonomyMode.choices,
        "trips": recent_breaker_trips(),
        "target": settings.AUTONOMY_TARGET_PRECISION,
        "min_verified": settings.AUTONOMY_MIN_VERIFIED,
        "confidence": settings.AUTONOMY_CONFIDENCE,
        "window_days": settings.AUTONOMY_WINDOW_DAYS,
    }
    return render(request, "resolution/autonomy.html", context, status=status)


@require_GET
@admin_required
def autonomy(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@admin_required
def autonomy_set(request: HttpRequest, slug: str) -> HttpResponse:
    intent = get_object_or_404(Intent, slug=slug, active=True)
    form = AutonomyModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose off, draft, auto or the desk default.")
        return _page(request, status=400)
    mode = form.cleaned_data["mode"]
    try:
        change = intent_autonomy_set(intent=intent, mode=mode, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _page(request, status=exc.status)
    if change is not None:
        label = dict(AutonomyMode.choices)[mode]
        messages.success(request, f"{intent.name}: {label}.")
    return redirect(reverse("ai:autonomy") + f"#intent-{intent.slug}")


@require_POST
@agent_required
def discard_draft(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    try:
        draft_discard(ticket=ticket, agent=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Draft discarded: write your own answer.")
    return redirect("agent:ticket", pk=ticket.pk)
