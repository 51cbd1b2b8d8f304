from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.forms import PortalForm
from feedback.services import MAX_COMMENT_LENGTH

RESOLVED_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
RATING_CHOICES = [
    (n, ngettext_lazy("%(n)d star", "%(n)d stars", "n") % {"n": n}) for n in range(1, 6)
]


class FeedbackForm(PortalForm):
    resolved = forms.TypedChoiceField(
        label=_("Did this solve your problem?"),
        choices=RESOLVED_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether the answer solved your problem.")},
    )
    rating = forms.TypedChoiceField(
        label=_("How would you rate the answer?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


SCORE_CHOICES = [
    (5, _("5 – Very good")),
    (4, _("4 – Good")),
    (3, _("3 – Neither good nor bad")),
    (2, _("2 – Bad")),
    (1, _("1 – Very bad")),
]


class SurveyForm(PortalForm):
    """The satisfaction survey: one rating of the whole service, and an optional comment."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you got?"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
