"""Cursor paging of ticket lists, for the agents' queue page and the ticket list API alike.

A cursor (DRF's CursorPagination) marks where the last page ended, so the next page is an
index range scan however deep it is, and a ticket arriving meanwhile never shifts a page by
one row as an offset would. Page numbers were refused at 1M tickets: OFFSET 500,000 reads and
throws away half a million rows.
"""

import copy
from collections.abc import Sequence
from urllib.parse import parse_qs, urlsplit

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from tickets.models import Ticket
from tickets.selectors import NEWEST_FIRST


class TicketCursorPagination(CursorPagination):
    """Newest first, `page_size` 1-100 (25 unless asked). A bad `page_size` is a 400, not
    silently replaced; `page` (the old page numbers) is a 400 that says to follow `next`."""

    ordering = NEWEST_FIRST
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    page_query_param = "page"  # no longer read: named so a client still sending it is told

    def paginate_queryset(self, queryset, request: Request, view=None):
        if self.page_query_param in request.query_params:
            raise serializers.ValidationError(
                {"page": ["Pages are numbered no more: follow the `next` link (a `cursor`)."]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise serializers.ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters


def cursor_of(link: str | None) -> str:
    """The `cursor` parameter of a next/previous link DRF built; "" for no link."""
    if not link:
        return ""
    return parse_qs(urlsplit(link).query).get("cursor", [""])[0]


class QueuePage:
    """One page of a queue view: its tickets and the cursors of the pages either side.

    Only `cursor` is read from the request (the page size is the queue's); a cursor from a
    stale or edited address starts again at the first page rather than failing.
    """

    def __init__(
        self, tickets: QuerySet[Ticket], request: HttpRequest, *, ordering: Sequence[str], size: int
    ) -> None:
        paginator = CursorPagination()
        paginator.ordering = ordering
        paginator.page_size = size
        try:
            self.tickets = paginator.paginate_queryset(
                tickets, _with_query(request, request.GET.get("cursor", ""))
            )
        except NotFound:
            self.tickets = paginator.paginate_queryset(tickets, _with_query(request, ""))
        self.next_cursor = cursor_of(paginator.get_next_link())
        self.previous_cursor = cursor_of(paginator.get_previous_link())


def _with_query(request: HttpRequest, cursor: str) -> Request:
    """A DRF request like `request` whose query string holds only `cursor`."""
    bare = copy.copy(request)
    bare.GET = QueryDict(mutable=True)
    if cursor:
        bare.GET["cursor"] = cursor
    return Request(bare)
