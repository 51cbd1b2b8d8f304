"""Knowledge suggestions while a customer writes a ticket: "Does this answer your question?"

Two small htmx endpoints pulled into the new-ticket page by URL. What was shown is remembered
per draft in the session, so each suggestion counts once however often the customer types.
"""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from accounts.decorators import customer_required
from common.errors import ServiceError
from resolution.services.deflection import (
    deflection_helpful,
    deflection_shown,
    suggestion_token,
)
from resolution.services.suggestions import suggestions_for_customer

SESSION_KEY = "suggest_drafts"
DRAFTS_KEPT = 10
_DRAFT = re.compile(r"^[0-9a-f]{32}$")


def _query(request: HttpRequest) -> str:
    data = request.POST if request.method == "POST" else request.GET
    return "\n".join(
        part for part in (data.get("subject", "").strip(), data.get("message", "").strip()) if part
    )


def _draft(request: HttpRequest) -> str | None:
    data = request.POST if request.method == "POST" else request.GET
    draft = data.get("draft", "")
    return draft if _DRAFT.match(draft) else None


def _shown(request: HttpRequest, draft: str) -> dict[str, int]:
    """entry id -> Deflection id, for the suggestions this draft has shown."""
    return request.session.get(SESSION_KEY, {}).get(draft, {})


def _remember(request: HttpRequest, draft: str, shown: dict[str, int]) -> None:
    drafts = request.session.get(SESSION_KEY, {})
    drafts.pop(draft, None)
    drafts[draft] = shown  # newest last; old drafts fall off
    request.session[SESSION_KEY] = dict(list(drafts.items())[-DRAFTS_KEPT:])


@require_GET
@customer_required
def suggestions(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    found = suggestions_for_customer(query, preferred=request.LANGUAGE_CODE)
    draft = _draft(request)
    tokens: dict[int, str] = {}
    # Without a draft (the page always sends one) suggestions are shown but not recorded,
    # and so cannot be answered "yes": a hand-made request cannot inflate the counts.
    if found and draft:
        shown = dict(_shown(request, draft))
        for suggestion in found:
            deflection_id = shown.get(str(suggestion.entry_id))
            if deflection_id is None:
                deflection_id = deflection_shown(
                    customer=request.user, entry_id=suggestion.entry_id, query=query
                ).pk
                shown[str(suggestion.entry_id)] = deflection_id
            tokens[suggestion.entry_id] = suggestion_token(
                customer=request.user, entry_id=suggestion.entry_id, deflection_id=deflection_id
            )
        _remember(request, draft, shown)
    return render(
        request,
        "partials/suggest_list.html",
        {"suggestions": [(s, tokens.get(s.entry_id, "")) for s in found]},
    )


@require_POST
@customer_required
def answered(request: HttpRequest) -> HttpResponse:
    """ "Yes, this answered my question": no ticket needed. Only a suggestion shown to this
    customer (its signed token) counts, once."""
    try:
        deflection = deflection_helpful(
            customer=request.user, token=request.POST.get("token", ""), query=_query(request)
        )
    except ServiceError as error:
        if not request.htmx:
            return HttpResponse(error.message, status=error.status)
        # Say so where the suggestions were, and leave the customer's draft alone.
        # (200: htmx swaps only successful responses.)
        response = render(request, "partials/suggest_error.html", {"error": error.message})
        return retarget(reswap(response, "innerHTML"), "#suggestions")
    if not request.htmx:
        messages.success(request, _("Glad that helped! No ticket was needed."))
        return redirect("portal:ticket_list")
    return render(request, "partials/suggest_answered.html", {"entry": deflection.entry})
