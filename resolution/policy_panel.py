"""The metrics page's "Certified threshold" panel: the decision policy, its bound, and the error
rate customers report.

The page is for admins (the view checks); only they may change the policy, through the form
here. The observed error is the check the certificate cannot give: the certificate holds for
tickets like the training data, customer feedback shows what happens on today's tickets.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from feedback.models import Feedback
from resolution.engine.risk import clopper_pearson
from resolution.metrics import created_in
from resolution.models import DecisionPolicy
from resolution.services.policy import active_certificate, policy_cache
from tickets.models import AuthorKind

OBSERVED_CONFIDENCE = 0.95


class DecisionPolicyForm(forms.ModelForm):
    """The admin-editable policy; also the Django admin's form (same labels and checks)."""

    class Meta:
        model = DecisionPolicy
        fields = ["mode", "alpha", "delta", "min_margin", "knowledge_agreement"]
        # Set here: the default label would capitalize α into a Greek capital Α.
        labels = {
            "alpha": "Error rate α",
            "delta": "Risk δ",
            "min_margin": "Minimum margin",
        }
        widgets = {
            "alpha": forms.NumberInput(attrs={"step": "0.001", "min": "0.001", "max": "0.5"}),
            "delta": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "max": "0.5"}),
            "min_margin": forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A callable model default adds a hidden "initial" twin to the field; not wanted here.
        self.fields["min_margin"].show_hidden_initial = False


def observed_error(*, date_from: date | None, date_to: date | None) -> dict[str, Any]:
    """Of the automatic answers rated by customers (tickets created in the range), the share
    rated "not resolved", with a 95% Clopper–Pearson interval. Rates are None without ratings."""
    rated = Feedback.objects.filter(
        created_in("ticket__created_at", date_from, date_to),
        answer__author_kind=AuthorKind.ASSISTANT,
    ).order_by()
    row = rated.aggregate(n=Count("id"), wrong=Count("id", filter=Q(resolved=False)))
    n, wrong = row["n"], row["wrong"]
    interval = clopper_pearson(wrong, n, OBSERVED_CONFIDENCE)
    return {
        "n": n,
        "wrong": wrong,
        "rate": wrong / n if n else None,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
        "confidence": OBSERVED_CONFIDENCE,
    }


@dataclass
class CertifiedPanel:
    policy: DecisionPolicy
    form: DecisionPolicyForm
    can_edit: bool
    version: Any
    certificate: Any
    observed: dict[str, Any]
    status: int = 200

    @property
    def certified_mode(self) -> bool:
        return self.policy.mode == "certified"

    @property
    def confidence_level(self) -> float:
        return 1 - self.policy.delta

    @property
    def observed_above_alpha(self) -> bool:
        """The feedback says the error rate is above α with 95% confidence."""
        low = self.observed["low"]
        return low is not None and low > self.policy.alpha


def certified_panel(
    request: HttpRequest, *, date_from: date | None, date_to: date | None
) -> tuple[CertifiedPanel | None, HttpResponse | None]:
    """The panel's context; on a valid POST by an admin, the policy is saved and a redirect
    back to the page is returned instead."""
    policy = DecisionPolicy.load()
    can_edit = bool(request.user.is_authenticated and request.user.is_admin)
    status = 200
    if request.method == "POST":
        if not can_edit:  # the view already refuses non-admins; never trust one check
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = DecisionPolicyForm(request.POST, instance=policy)
        if form.is_valid():
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
            policy_cache.clear()  # this process at once; the others within MODEL_RELOAD_SECONDS
            messages.success(request, f"Decision policy saved: {saved}.")
            return None, redirect(request.get_full_path())
        status = 400
        policy = DecisionPolicy.load()  # show the figures of the policy still in force
    else:
        form = DecisionPolicyForm(instance=policy)
    version, certificate = active_certificate(policy)
    panel = CertifiedPanel(
        policy=policy,
        form=form,
        can_edit=can_edit,
        version=version,
        certificate=certificate,
        observed=observed_error(date_from=date_from, date_to=date_to),
        status=status,
    )
    return panel, None
