"""A new intent from the agent workspace: the ticket in front of the agent is about something
the classifier does not know. The service does the work (resolution.services.intents)."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import agent_required
from common.errors import ServiceError
from resolution.services.intents import MAX_NAME_LENGTH, MAX_TEMPLATE_LENGTH, intent_create
from tickets.forms import add_service_error
from tickets.selectors import tickets_visible_to

TEMPLATE_START = "Hi {{ customer_name }},\n\n"


class IntentForm(forms.Form):
    name = forms.CharField(
        max_length=MAX_NAME_LENGTH,
        label="Name",
        help_text="What customers ask about, in plain words, e.g. “Gift cards”.",
    )
    template = forms.CharField(
        max_length=MAX_TEMPLATE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Answer template",
        help_text="The answer for everyone who asks this; {{ customer_name }} is replaced "
        "with the customer's first name. No details of this customer.",
    )
    examples = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="How customers ask it",
        help_text="At least two ways, one a line; remove this customer's personal details. "
        "The next retraining learns the intent from them.",
    )


@agent_required
@require_http_methods(["GET", "POST"])
def new_intent(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), pk=pk)
    form = IntentForm(
        request.POST or None,
        initial={"template": TEMPLATE_START, "examples": ticket.message.strip()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            intent = intent_create(
                name=form.cleaned_data["name"],
                template=form.cleaned_data["template"],
                examples=form.cleaned_data["examples"].splitlines(),
                agent=request.user,
                ticket=ticket,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"Intent “{intent.name}” created. Pick it as the intent when you resolve; "
                "the next retraining learns it.",
            )
            return redirect("agent:ticket", pk=ticket.pk)
    status = 400 if form.errors else 200
    return render(
        request, "resolution/intent_new.html", {"ticket": ticket, "form": form}, status=status
    )
