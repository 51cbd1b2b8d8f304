"""The knowledge review page: agents and admins approve, edit or reject pending entries.

Plain forms posting to one URL per action (POST/redirect/GET); the services do the work.
Each entry is shown as another customer would receive it, with what may still be personal
data marked; the approve button says why it is refused before anyone presses it.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import agent_required
from common.errors import ServiceError
from resolution.models import Intent, KnowledgeEntry, KnowledgeStatus
from resolution.selectors import pending_entries
from resolution.services import review
from resolution.services.scrubbing import SAMPLE_CUSTOMER, EntryCheck, knowledge_entry_check


class EntryForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        label="Title customers see",
        help_text="The question in words any customer may read (no names, numbers or "
        "addresses). Blank: the intent's name is shown.",
    )
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=10_000)
    intent = forms.ModelChoiceField(
        queryset=Intent.objects.filter(active=True), required=False, empty_label="(any intent)"
    )


@dataclass(frozen=True)
class ReviewItem:
    entry: KnowledgeEntry
    check: EntryCheck
    own: bool  # the reviewer added it: they may not approve it alone


def _review_item(entry: KnowledgeEntry, reviewer) -> ReviewItem:
    check = knowledge_entry_check(
        question=entry.question, answer=entry.answer, people=review.entry_people(entry)
    )
    own = entry.created_by_id == reviewer.pk and not review.may_approve_own(reviewer)
    return ReviewItem(entry=entry, check=check, own=own)


@agent_required
def pending(request: HttpRequest) -> HttpResponse:
    items = [_review_item(entry, request.user) for entry in pending_entries()[:200]]
    return render(
        request,
        "resolution/knowledge_list.html",
        {"items": items, "sample": SAMPLE_CUSTOMER},
    )


def _act(request: HttpRequest, action, done: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("ai:knowledge")


@agent_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        lambda: review.knowledge_entry_approve(entry_id=pk, reviewer=request.user),
        "Approved: the entry now answers customers.",
    )


@agent_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, lambda: review.knowledge_entry_reject(entry_id=pk), "Rejected.")


@agent_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        KnowledgeEntry.objects.select_related("duplicate_of", "source_ticket", "translation_of"),
        pk=pk,
        status=KnowledgeStatus.PENDING,
    )
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                review.knowledge_entry_edit(
                    entry_id=entry.pk,
                    title=form.cleaned_data["title"],
                    question=form.cleaned_data["question"],
                    answer=form.cleaned_data["answer"],
                    intent=form.cleaned_data["intent"],
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Saved. Approve it when it reads right.")
                return redirect("ai:knowledge")
    else:
        form = EntryForm(
            initial={
                "title": entry.title,
                "question": entry.question,
                "answer": entry.answer,
                "intent": entry.intent,
            }
        )
    item = _review_item(entry, request.user)
    return render(
        request,
        "resolution/knowledge_edit.html",
        {"entry": entry, "form": form, "item": item, "sample": SAMPLE_CUSTOMER},
    )
