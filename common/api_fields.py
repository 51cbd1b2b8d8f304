"""Request fields that accept exactly the JSON type the schema promises.

DRF's fields are lenient: a CharField takes 123, an IntegerField takes "5" and 5.0, a
BooleanField takes "yes" and 1. The API's schema says string, integer, boolean, and generated
clients (and our schemathesis run) hold us to it, so these refuse anything else with a 400.

Text fields also carry their rules as a schema `pattern`, so the schema describes exactly the
text the server accepts: no NUL characters (PostgreSQL cannot store them), and, when required,
something other than whitespace. "Whitespace" is what Python's str.strip() removes, spelled out
so that a JavaScript or JSON-Schema engine agrees with us character for character.
"""

import re
from datetime import date

from django import forms
from django.core.validators import RegexValidator
from rest_framework import serializers

# Every character for which str.isspace() is true (tests/test_api_errors.py checks the list).
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_CLASS = "".join(f"\\u{ord(c):04x}" for c in SPACES)
# Linear-time on purpose: the leading class and the first non-space class are disjoint.
NOT_BLANK_PATTERN = f"^[{_SPACE_CLASS}]*[^{_SPACE_CLASS}\\u0000][^\\u0000]*$"
# For optional text. Not "*": spectacular offers "" as a separate `maxLength: 0` alternative
# (oneOf), and "" must match only one of the two. DRF never validates "" against it anyway.
NO_NUL_PATTERN = "^[^\\u0000]+$"


class StrictCharField(serializers.CharField):
    """A JSON string, trimmed; required ones must hold more than whitespace."""

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        required_text = not self.allow_blank
        pattern = NOT_BLANK_PATTERN if required_text else NO_NUL_PATTERN
        message = (
            "Must contain text (not only spaces) and no NUL characters."
            if required_text
            else "Must not contain NUL characters."
        )
        self.validators.append(RegexValidator(pattern, message=message, code="invalid"))

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The schema's maxLength counts what was sent, before trimming.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class BlankAsNullMixin:
    """Output "" (how the models store "none") as null, which clients and enums handle better."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value == "" else super().to_representation(value)


class NullableCharField(BlankAsNullMixin, serializers.CharField):
    pass


class NullableChoiceField(BlankAsNullMixin, serializers.ChoiceField):
    pass


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(value: str) -> date | None:
    """YYYY-MM-DD exactly (the schema's `format: date`), or None."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None


class StrictDateField(serializers.DateField):
    """YYYY-MM-DD only; DRF would also take 2026-3-1."""

    default_error_messages = {"invalid": "Must be a date as YYYY-MM-DD."}

    def to_internal_value(self, value):
        parsed = parse_iso_date(value)
        if parsed is None:
            self.fail("invalid")
        return parsed


class IsoDateFormField(forms.DateField):
    """For django-filter: YYYY-MM-DD only; Django would also take 10/25/2006 and more."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_iso_date(value)
        if parsed is None:
            raise forms.ValidationError("Must be a date as YYYY-MM-DD.", code="invalid")
        return parsed
