"""Forms of the agent's desk around the workspace: assignment, priority and tags, the macro
picker. They check shape; tickets.services and tickets.macros own the rules."""

from django import forms

from accounts.models import Role, User
from tickets.models import Macro, Priority, Team


def agents() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Agent",
        required=False,
        empty_label="Nobody",
        queryset=User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.ADMIN]).order_by(
            "full_name", "email"
        ),
    )


class AssignForm(forms.Form):
    agent = agents()
    team = forms.ModelChoiceField(
        label="Team", required=False, empty_label="No team", queryset=Team.objects.all()
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].label_from_instance = lambda user: user.get_full_name()


class TicketFieldsForm(forms.Form):
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices)
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=1_100,
        help_text="Comma-separated, e.g. refund, vip",
    )

    def clean_tags(self) -> list[str]:
        return [name for name in self.cleaned_data["tags"].split(",") if name.strip()]


class MacroPickForm(forms.Form):
    macro = forms.ModelChoiceField(label="Macro", queryset=Macro.objects.none(), empty_label=None)

    def __init__(self, *args, macros, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["macro"].queryset = macros
        self.fields["macro"].label_from_instance = lambda macro: (
            macro.title if macro.owner_id is None else f"{macro.title} (personal)"
        )


class AvailabilityForm(forms.Form):
    available = forms.TypedChoiceField(
        choices=[("yes", "Available"), ("no", "Away")], coerce=lambda value: value == "yes"
    )
