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
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from feedback.models import Feedback
from resolution.engine.risk import clopper_pearson
from resolution.metrics import created_in
from resolution.models import DecisionPolicy
from resolution.services.policy import active_certificate, policy_cache
from resolution.services.policy_preview import PolicyPreview, policy_preview
from tickets.models import AuthorKind

OBSERVED_CONFIDENCE = 0.95


class DecisionPolicyForm(forms.ModelForm):
    """The admin-editable policy; also the Django admin's form (same labels and checks).

    Validating replays the candidate on recent decisions (`self.preview`); a policy that would
    answer no ticket by itself is refused unless ``confirm_none`` is ticked.
    """

    confirm_none = forms.BooleanField(
        label="Yes, answer no ticket automatically",
        required=False,
        help_text="Needed when the new policy would send every ticket to a person.",
    )

    class Meta:
        model = DecisionPolicy
        fields = ["mode", "alpha", "delta", "min_margin", "knowledge_agreement", "earned_autonomy"]
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
        self.preview: PolicyPreview | None = None

    def _post_clean(self) -> None:
        # After the model's own validators (α, δ in range), which run in super()._post_clean.
        super()._post_clean()
        if self.errors:
            return
        self.preview = policy_preview(self.cleaned_data)
        if self.preview.answers_none and not self.cleaned_data.get("confirm_none"):
            self.add_error(
                None,
                forms.ValidationError(
                    "This policy would answer no ticket automatically: every ticket would go "
                    "to a person. Tick the confirmation to save it anyway.",
                    code="answers_none",
                ),
            )


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
    preview: PolicyPreview | None = None

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
    back to the page is returned instead. A POST with ``action=preview`` only shows what the
    change would do; so does a save refused because the policy would answer nothing."""
    policy = DecisionPolicy.load()
    can_edit = bool(request.user.is_authenticated and request.user.is_admin)
    status = 200
    if request.method == "POST":
        if not can_edit:  # the view already refuses non-admins; never trust one check
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = DecisionPolicyForm(request.POST, instance=DecisionPolicy.load())
        previewing = request.POST.get("action") == "preview"
        if form.is_valid() and not previewing:
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
            policy_cache.clear()  # this process at once; the others within MODEL_RELOAD_SECONDS
            messages.success(request, f"Decision policy saved: {saved}. {_summary(form.preview)}")
            return None, redirect(request.get_full_path())
        # A preview, or a refusal: nothing saved; the figures shown are the policy in force.
        status = 200 if previewing and not _field_errors(form) else 400
        policy = DecisionPolicy.load()
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
        preview=form.preview if request.method == "POST" else None,
    )
    return panel, None


def _field_errors(form: DecisionPolicyForm) -> bool:
    """Errors other than the "answers none" refusal (a preview shows that one as a warning)."""
    return any(
        name != NON_FIELD_ERRORS or any(e.code != "answers_none" for e in errors.data)
        for name, errors in form.errors.items()
    )


def _summary(preview: PolicyPreview | None) -> str:
    if preview is None or not preview.tickets:
        return ""
    return (
        f"On the last {preview.tickets} decided tickets it would have answered "
        f"{preview.would_answer} ({preview.share_after:.0%}) automatically."
    )
