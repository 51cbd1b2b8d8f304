from django import forms

from accounts.forms import PortalForm
from feedback.services import MAX_COMMENT_LENGTH

RESOLVED_CHOICES = [("yes", "Yes"), ("no", "No")]
RATING_CHOICES = [(n, f"{n} star{'s' if n > 1 else ''}") for n in range(1, 6)]


class FeedbackForm(PortalForm):
    resolved = forms.TypedChoiceField(
        label="Did this solve your problem?",
        choices=RESOLVED_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Tell us whether the answer solved your problem."},
    )
    rating = forms.TypedChoiceField(
        label="How would you rate the answer?",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5 stars."},
    )
    comment = forms.CharField(
        label="Anything else you want to tell us?",
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
