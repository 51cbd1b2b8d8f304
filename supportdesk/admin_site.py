"""The project's Django admin site: Django's, with a guard on query strings.

Django admin turns changelist query parameters into lookups: `?assigned_agent=<40 digits>` or
`?created_at__year=<40 digits>` reach the database as numbers no column holds and end in a 500
(OverflowError on SQLite, DataError on PostgreSQL), found by tests/test_fuzz_query_params.py.
Every admin view is wrapped here (AdminSite.admin_view), so no ModelAdmin can forget it: such a
query is a 400 before any lookup is built.
"""

import re
from collections.abc import Callable
from functools import update_wrapper

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

# What a 64-bit integer column holds; a date part is at most 9999.
_INTEGER = re.compile(r"\s*[-+]?\d+\s*")
_BIGINT = 2**63 - 1
_DATE_PARTS = ("__year", "__month", "__day", "__week", "__week_day", "__quarter")


def out_of_range_parameter(request: HttpRequest) -> str | None:
    """The first query parameter whose whole-number value no column or date can hold."""
    for name, values in request.GET.lists():
        for value in values:
            if not _INTEGER.fullmatch(value):
                continue
            number = int(value)
            if abs(number) > _BIGINT or (name.endswith(_DATE_PARTS) and not 0 <= number <= 9999):
                return name
    return None


class SupportDeskAdminSite(AdminSite):
    site_header = "SupportDesk administration"
    site_title = "SupportDesk admin"

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        wrapped = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if (name := out_of_range_parameter(request)) is not None:
                return HttpResponseBadRequest(
                    f"The value of the query parameter {name!r} is out of range.",
                    content_type="text/plain; charset=utf-8",
                )
            return wrapped(request, *args, **kwargs)

        return update_wrapper(guarded, wrapped)


class AdminConfig(DjangoAdminConfig):
    default_site = "supportdesk.admin_site.SupportDeskAdminSite"
