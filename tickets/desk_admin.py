"""Django admin for the desk's settings: SLA policies, business calendars and rules.

Forms validate with the same functions as the API (tickets/sla.py, tickets/rules.py), so a bad
regex or time zone is a form error here and a 400 there.
"""

from django import forms
from django.contrib import admin

from common.errors import InvalidInput
from tickets.models import BusinessCalendar, Holiday, Rule, SlaPolicy
from tickets.rules import rule_validate
from tickets.sla import validate_calendar


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "weekly_hours", "country", "subdivision"]
        help_texts = {
            "weekly_hours": "Weekday 0 (Monday) to 6 (Sunday) → spans, e.g. "
            '{"0": [["09:00", "17:00"]], "1": [["09:00", "12:00"], ["13:00", "17:00"]]}.',
        }

    def clean(self):
        data = super().clean()
        try:
            validate_calendar(
                time_zone=data.get("time_zone", ""),
                weekly_hours=data.get("weekly_hours"),
                country=data.get("country", ""),
                subdivision=data.get("subdivision", ""),
            )
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return data


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "time_zone", "country", "subdivision")
    inlines = [HolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "calendar",
        "active",
    )
    list_editable = ("first_response_minutes", "resolution_minutes", "active")


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["name", "position", "active", "stage", "conditions", "actions"]
        help_texts = {
            "conditions": 'All must hold, e.g. [{"field": "text", "op": "matches", "value": '
            '"(?i)refund|chargeback"}, '
            '{"field": "customer", "op": "is", "value": "@vip.example"}]. '
            "Fields: text (contains / matches), intent, language, channel, priority, customer, "
            "business_hours (is).",
            "actions": 'E.g. [{"type": "set_priority", "value": "high"}, {"type": "escalate"}]. '
            "Types: set_priority, add_tag, assign_team, escalate, reply, webhook.",
        }

    def clean(self):
        data = super().clean()
        try:
            rule_validate(
                name=data.get("name", ""),
                stage=data.get("stage", ""),
                conditions=data.get("conditions"),
                actions=data.get("actions"),
            )
        except InvalidInput as error:
            for key, problems in error.details.items():
                target = key if key in self.fields else None
                self.add_error(target, problems)
        return data


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ("position", "name", "stage", "active", "updated_at")
    list_display_links = ("name",)
    list_editable = ("position", "active")
    list_filter = ("stage", "active")
