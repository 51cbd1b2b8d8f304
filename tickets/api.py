"""The ticket API: create and list, an agent's reply and claim. Thin over tickets.services.

Who may see a ticket is decided once, in `tickets.selectors.tickets_visible_to`: every lookup
here goes through it, so another customer's ticket is a 404, exactly like a missing one.
Role checks (customers create, agents reply) run before any lookup, so they reveal nothing.

The ticket detail and the resolve action show the AI's decision; they live in resolution/api.py.
"""

import django_filters
from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import OuterRef, QuerySet, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAgent, IsCustomer
from accounts.models import User
from supportdesk.api_errors import error_responses
from supportdesk.api_fields import NO_NUL_PATTERN, IsoDateFormField
from supportdesk.api_parsers import JSONParser
from tickets.attachments import files_from_uploads
from tickets.models import AuthorKind, Channel, EscalationReason, Message, Ticket, TicketStatus
from tickets.selectors import tickets_visible_to
from tickets.serializers import (
    CustomerReplySerializer,
    MessageSerializer,
    TicketCreateSerializer,
    TicketCreateWithFilesSerializer,
    TicketReplySerializer,
    TicketSerializer,
)
from tickets.services import (
    ticket_agent_reply,
    ticket_claim,
    ticket_customer_reply,
    ticket_latest_answer,
    ticket_submit,
)


def with_latest_answer(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `latest_answer`: what `ticket_latest_answer` returns, in the same query."""
    answers = Message.objects.filter(
        ticket=OuterRef("pk"),
        author_kind__in=[AuthorKind.ASSISTANT, AuthorKind.AGENT],
        internal=False,
    ).order_by("-created_at", "-id")
    return tickets.annotate(latest_answer=Subquery(answers.values("body")[:1]))


def api_tickets(user: User) -> QuerySet[Ticket]:
    """The tickets `user` may see, as the API serializes them."""
    return with_latest_answer(tickets_visible_to(user)).order_by("-created_at", "-id")


def get_visible_ticket(user: User, pk: int) -> Ticket:
    """The ticket, if `user` may see it; otherwise the same 404 as for a ticket that isn't."""
    ticket = api_tickets(user).filter(pk=pk).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def refreshed_own_ticket(ticket: Ticket) -> Ticket:
    """`ticket` (just created by its customer, so theirs) re-read with its latest answer.

    Two small queries instead of `get_visible_ticket`'s one with a correlated subquery: the
    same result for a new ticket, at half the ORM work on the busiest endpoint.
    """
    fresh = Ticket.objects.get(pk=ticket.pk)
    fresh.customer = ticket.customer
    answer = ticket_latest_answer(fresh)
    fresh.latest_answer = answer.body if answer else None
    return fresh


# Lower-case ISO 639 codes only, so a typo ("ES", "spanish") is a 400, not an empty list.
LANGUAGE_CODE_PATTERN = r"^[a-z]{2,3}$"


@extend_schema_field({"type": "string", "pattern": LANGUAGE_CODE_PATTERN})
class LanguageCodeFilter(django_filters.CharFilter):
    """A language code, its pattern in the OpenAPI schema too."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "validators", [RegexValidator(LANGUAGE_CODE_PATTERN, "An ISO 639-1 code such as es.")]
        )
        super().__init__(*args, **kwargs)


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateFormField


class TicketFilter(django_filters.FilterSet):
    """Filters, strictly: `?status=` is an error, not "any status" as in an HTML form."""

    status = django_filters.ChoiceFilter(choices=TicketStatus.choices)
    intent = django_filters.CharFilter(max_length=64, help_text="An intent's slug.")
    escalation_reason = django_filters.ChoiceFilter(choices=EscalationReason.choices)
    language = LanguageCodeFilter(
        max_length=3,
        help_text='The language the ticket is written in: an ISO 639-1 code such as "es".',
    )
    created_from = IsoDateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="Created on or after."
    )
    created_to = IsoDateFilter(
        field_name="created_at", lookup_expr="date__lte", help_text="Created on or before."
    )

    class Meta:
        model = Ticket
        fields = ["status", "intent", "escalation_reason", "language", "created_from", "created_to"]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        blank = [name for name in self.filters if self.data.get(name, None) == ""]
        for name in blank:
            self.form.add_error(name, "Must not be empty: leave the parameter out instead.")
        return valid and not blank


class TicketPagination(PageNumberPagination):
    """Page numbers; `page` and `page_size` refused when invalid, not silently replaced.

    A page past the end is a 404; a page size out of 1-100 or a page that is not a number, 400.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request: Request, paginator) -> str | int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()):  # DRF would read "" as 1 and "last" as last
            raise serializers.ValidationError({"page": ["Must be a whole number from 1."]})
        return raw

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
        limits = {
            "page": {"minimum": 1},
            "page_size": {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(limits.get(parameter["name"], {}))
        return parameters


# JSON, or multipart/form-data with files in `attachments` (the same fields as form fields).
WITH_FILES = [JSONParser, MultiPartParser]


def uploaded_files(request: Request) -> list:
    return files_from_uploads(request.FILES.getlist("attachments")) if request.FILES else []


class TicketListCreateView(generics.ListCreateAPIView):
    serializer_class = TicketSerializer
    parser_classes = WITH_FILES
    filterset_class = TicketFilter
    pagination_class = TicketPagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Ticket]:
        return api_tickets(self.request.user)

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsCustomer()]
        return super().get_permissions()

    @extend_schema(
        operation_id="tickets_list",
        tags=["tickets"],
        summary="List tickets",
        description="Customers see their own tickets; agents and admins see all. Newest first.",
        parameters=[
            OpenApiParameter(
                "intent",
                {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL_PATTERN},
                description="An intent's slug.",
            )
        ],
        responses={200: TicketSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="tickets_create",
        tags=["tickets"],
        summary="Open a ticket (customers)",
        description=(
            "Stores the ticket and runs the AI: the answer comes back at once when it is "
            "confident enough, otherwise the ticket goes to an agent (`escalated`). With a "
            "Celery worker configured the AI runs in the background and the ticket may still "
            "be `open`: read it again with GET /api/tickets/{id}."
        ),
        # Documented as JSON; multipart/form-data (with files) is described in the README.
        request={"application/json": TicketCreateSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Optional, up to 128 characters. Sending the same key again "
                "returns the ticket it created (200) instead of opening a second one.",
            )
        ],
        responses={
            201: TicketSerializer,
            200: TicketSerializer,
            **error_responses(400, 401, 403, 413, 415, 429),
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        with_files = request.content_type.startswith("multipart/")
        serializer = (TicketCreateWithFilesSerializer if with_files else TicketCreateSerializer)(
            data=request.data
        )
        serializer.is_valid(raise_exception=True)
        ticket, created = ticket_submit(
            customer=request.user,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            attachments=uploaded_files(request),
            channel=Channel.API,
            **serializer.validated_data,
        )
        if created and not settings.CELERY_TASK_ALWAYS_EAGER:
            # A worker decides it: as committed, the ticket is open and has no answer yet (the
            # client reads it again later). No second query for what we just wrote.
            ticket.latest_answer = None
        elif created:
            # The pipeline ran in-process when ticket_submit committed: re-read what it changed.
            ticket = refreshed_own_ticket(ticket)
        else:
            # The same Idempotency-Key again: the first ticket, as it is now.
            ticket = get_visible_ticket(request.user, ticket.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(TicketSerializer(ticket).data, status=code)


class TicketReplyResultSerializer(serializers.Serializer):
    message = MessageSerializer()
    ticket = TicketSerializer()


class TicketReplyView(APIView):
    permission_classes = [IsAgent]
    parser_classes = WITH_FILES

    @extend_schema(
        operation_id="tickets_reply",
        tags=["tickets"],
        summary="Reply to a ticket (agents, admins)",
        description=(
            "Posts the agent's answer (or an internal note), optionally corrects the intent, "
            "resolves the ticket and adds the answer to the knowledge base. Replying assigns "
            "an unassigned ticket to you."
        ),
        request={"application/json": TicketReplySerializer},
        responses={
            201: TicketReplyResultSerializer,
            **error_responses(400, 401, 403, 404, 409, 413, 415),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        ticket = get_visible_ticket(request.user, pk)
        serializer = TicketReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = ticket_agent_reply(
            ticket=ticket,
            agent=request.user,
            body=data["body"],
            internal=data["internal"],
            resolve=data["resolve"],
            corrected_intent=data["intent"],
            add_to_knowledge=data["add_to_knowledge"],
            attachments=uploaded_files(request),
        )
        result = {"message": message, "ticket": get_visible_ticket(request.user, pk)}
        return Response(TicketReplyResultSerializer(result).data, status=status.HTTP_201_CREATED)


class TicketClaimView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="tickets_claim",
        tags=["tickets"],
        summary="Claim an escalated ticket (agents, admins)",
        description="Assigns the ticket to you. 409 if another agent holds it or it is not "
        "waiting for an agent. Claiming a ticket you hold already is fine.",
        request=None,
        responses={200: TicketSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        ticket = ticket_claim(ticket=get_visible_ticket(request.user, pk), agent=request.user)
        return Response(TicketSerializer(get_visible_ticket(request.user, ticket.pk)).data)


class TicketCustomerReplyView(APIView):
    permission_classes = [IsCustomer]
    parser_classes = WITH_FILES

    @extend_schema(
        operation_id="tickets_customer_reply",
        tags=["tickets"],
        summary="Write again on your ticket (customers)",
        description=(
            "Adds the customer's message to their own ticket, like the portal's reply form "
            "(the same service): on an answered or resolved ticket it means the answer did "
            "not settle it, so the ticket goes to a person (`escalated`, reason `reopened`)."
        ),
        request={"application/json": CustomerReplySerializer},
        responses={
            201: TicketReplyResultSerializer,
            **error_responses(400, 401, 403, 404, 413, 415),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        ticket = get_visible_ticket(request.user, pk)
        serializer = CustomerReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = ticket_customer_reply(
            ticket=ticket,
            customer=request.user,
            body=serializer.validated_data["body"],
            attachments=uploaded_files(request),
        )
        result = {"message": message, "ticket": get_visible_ticket(request.user, pk)}
        return Response(TicketReplyResultSerializer(result).data, status=status.HTTP_201_CREATED)
