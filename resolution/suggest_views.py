"""Knowledge suggestions while a customer writes a ticket: "Does this answer your question?"

Two small htmx endpoints pulled into the new-ticket page by URL. What was shown is remembered
per draft in the session, so each suggestion counts once however often the customer types.
"""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from accounts.decorators import customer_required
from resolution.services.deflection import deflection_helpful, deflection_shown
from resolution.services.suggestions import similar_entries
from tickets.errors import ServiceError

MIN_QUERY_CHARS = 12  # fewer than a couple of words matches noise
MAX_SUGGESTIONS = 3
# A wrong suggestion costs the customer's trust; a missing one only costs a ticket. So: close
# matches only (measured on the starter knowledge base, unrelated text scores up to ~0.4), and
# never one far behind the best.
MIN_SCORE = 0.45
MIN_SHARE_OF_BEST = 0.7
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
    found = []
    if len(query) >= MIN_QUERY_CHARS:
        found = similar_entries(query, limit=MAX_SUGGESTIONS, min_score=MIN_SCORE)
        found = [s for s in found if s.score >= found[0].score * MIN_SHARE_OF_BEST]
    draft = _draft(request)
    if found and draft:
        shown = dict(_shown(request, draft))
        new = [s for s in found if str(s.entry_id) not in shown]
        for suggestion in new:
            deflection = deflection_shown(
                customer=request.user, entry_id=suggestion.entry_id, query=query
            )
            shown[str(suggestion.entry_id)] = deflection.pk
        if new:
            _remember(request, draft, shown)
    return render(request, "partials/suggest_list.html", {"suggestions": found})


@require_POST
@customer_required
def answered(request: HttpRequest) -> HttpResponse:
    """ "Yes, this answered my question": no ticket needed."""
    try:
        entry_id = int(request.POST.get("entry", ""))
    except ValueError:
        return HttpResponse("Which suggestion answered you?", status=400)
    draft = _draft(request)
    shown_id = _shown(request, draft).get(str(entry_id)) if draft else None
    try:
        deflection = deflection_helpful(
            customer=request.user, entry_id=entry_id, query=_query(request), shown_id=shown_id
        )
    except ServiceError as error:
        if not request.htmx:
            return HttpResponse(error.message, status=400)
        # Say so where the suggestions were, and leave the customer's draft alone.
        response = render(request, "partials/suggest_error.html", {"error": error.message})
        return retarget(reswap(response, "innerHTML"), "#suggestions")
    if not request.htmx:
        messages.success(request, "Glad that helped! No ticket was needed.")
        return redirect("portal:ticket_list")
    return render(request, "partials/suggest_answered.html", {"entry": deflection.entry})
