"""The ticket API: create and list, an agent's reply and claim. Thin over tickets.services.

Who may see a ticket is decided once, in `tickets.selectors.tickets_visible_to`: every lookup
here goes through it, so another customer's ticket is a 404, exactly like a missing one.
Role checks (customers create, agents reply) run before any lookup, so they reveal nothing.

The ticket detail and the resolve action show the AI's decision; they live in resolution/api.py.
"""

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAgent, IsCustomer
from accounts.models import User
from common.api_errors import error_responses
from common.api_fields import NO_NUL_PATTERN, IsoDateFormField
from common.api_parsers import JSONParser
from common.errors import InvalidInput
from tickets.attachments import files_from_uploads
from tickets.models import (
    Channel,
    EscalationReason,
    Priority,
    Team,
    Ticket,
    TicketStatus,
)
from tickets.paging import TicketCursorPagination
from tickets.selectors import tickets_visible_to, with_latest_answer
from tickets.serializers import (
    AgentSerializer,
    CustomerReplySerializer,
    MessageSerializer,
    TicketAssignSerializer,
    TicketCreateSerializer,
    TicketCreateWithFilesSerializer,
    TicketReplySerializer,
    TicketSerializer,
)
from tickets.services import (
    MAX_TAGS,
    clean_tag_names,
    ticket_agent_reply,
    ticket_assign,
    ticket_claim,
    ticket_customer_reply,
    ticket_submit,
)


def api_tickets(user: User) -> QuerySet[Ticket]:
    """The tickets `user` may see, as the API serializes them (agents' with tags and team)."""
    tickets = with_latest_answer(tickets_visible_to(user)).order_by("-created_at", "-id")
    if user.is_authenticated and user.is_agent:
        tickets = tickets.select_related("team").prefetch_related("tags")
    return tickets


def get_visible_ticket(user: User, pk: int) -> Ticket:
    """The ticket, if `user` may see it; otherwise the same 404 as for a ticket that isn't."""
    ticket = api_tickets(user).filter(pk=pk).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


# One to MAX_TAGS tag names (letters, digits, - or _), comma-separated.
TAGS_QUERY_PATTERN = rf"^[-\w]{{1,50}}(,[-\w]{{1,50}}){{0,{MAX_TAGS - 1}}}$"


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


# Ids up to 2**53: exact in a JSON number, so the schema's bound means what it says.
MAX_FILTER_ID = 2**53


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=MAX_FILTER_ID, **kwargs)


class TicketFilter(django_filters.FilterSet):
    """Filters, strictly: `?status=` is an error, not "any status" as in an HTML form."""

    status = django_filters.ChoiceFilter(choices=TicketStatus.choices)
    intent = django_filters.CharFilter(max_length=64, help_text="An intent's slug.")
    escalation_reason = django_filters.ChoiceFilter(choices=EscalationReason.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    # An id, not a choice: an unknown team is an empty list, as an unknown intent is.
    team = IdFilter(field_name="team_id", help_text="A team's id.")
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
    tags = django_filters.CharFilter(
        method="filter_tags",
        max_length=MAX_TAGS * 51,
        help_text="Comma-separated tag names: tickets carrying every one of them.",
    )

    class Meta:
        model = Ticket
        fields = [
            "status",
            "intent",
            "escalation_reason",
            "created_from",
            "created_to",
            "priority",
            "tags",
            "team",
            "language",
        ]

    def filter_tags(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        try:
            names = clean_tag_names(value.split(","))
        except InvalidInput as error:
            raise serializers.ValidationError({"tags": [error.message]}) from error
        for tag in names:  # one join per tag: every one must be on the ticket
            queryset = queryset.filter(tags__name=tag)
        return queryset

    def is_valid(self) -> bool:
        valid = super().is_valid()
        blank = [name for name in self.filters if self.data.get(name, None) == ""]
        for name in blank:
            self.form.add_error(name, "Must not be empty: leave the parameter out instead.")
        return valid and not blank


# JSON, or multipart/form-data with files in `attachments` (the same fields as form fields).
WITH_FILES = [JSONParser, MultiPartParser]


def uploaded_files(request: Request) -> list:
    return files_from_uploads(request.FILES.getlist("attachments")) if request.FILES else []


class TicketListCreateView(generics.ListCreateAPIView):
    serializer_class = TicketSerializer
    parser_classes = WITH_FILES
    filterset_class = TicketFilter
    pagination_class = TicketCursorPagination
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
        description=(
            "Customers see their own tickets; agents and admins see all. Newest first, a page "
            "at a time: follow `next` (it carries a `cursor`) for the following page. Page "
            "numbers (`page`) and the total `count` are gone (issue 18): a cursor reaches any "
            "depth of a million tickets at the cost of the first page."
        ),
        parameters=[
            OpenApiParameter(
                "intent",
                {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL_PATTERN},
                description="An intent's slug.",
            ),
            OpenApiParameter(
                "tags",
                {"type": "string", "pattern": TAGS_QUERY_PATTERN, "maxLength": MAX_TAGS * 51},
                description="Comma-separated tag names: tickets carrying every one of them "
                "(agents; customers' tickets carry none they can see).",
            ),
            OpenApiParameter(
                "team",
                {"type": "integer", "minimum": 1, "maximum": MAX_FILTER_ID},
                description="A team's id.",
            ),
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
            # The pipeline ran in-process when ticket_submit committed, on this very object
            # (resolution.signals): it holds the decision and any answer. No re-read.
            ticket.latest_answer = getattr(ticket, "latest_answer", None)
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
        return Response(
            TicketReplyResultSerializer(result, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


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
        fresh = get_visible_ticket(request.user, ticket.pk)
        return Response(TicketSerializer(fresh, context={"request": request}).data)


class TicketAssignView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="tickets_assign",
        tags=["tickets"],
        summary="Assign, reassign or unassign a ticket (agents, admins)",
        description=(
            '`{"agent": id}`, `{"team": id}`, both, or `null` (or both null) to unassign. '
            "A side left out is kept when it still fits: a new team keeps the assignee "
            "if they are a member; a new agent keeps the team if they are in it. Given a team "
            "with round-robin on and no agent, an escalated ticket goes to its next available "
            "member. The assignee is notified (in the app and by e-mail). 409 if another agent "
            "holds the ticket (only they or an admin can pass it on)."
        ),
        request=TicketAssignSerializer,
        responses={200: TicketSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        ticket = get_visible_ticket(request.user, pk)
        # A JSON `null` body is "unassign": nobody and no team.
        data = {"agent": None, "team": None} if request.data is None else request.data
        serializer = TicketAssignSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        ticket_assign(ticket=ticket, actor=request.user, **serializer.validated_data)
        fresh = get_visible_ticket(request.user, pk)
        return Response(TicketSerializer(fresh, context={"request": request}).data)


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
        return Response(
            TicketReplyResultSerializer(result, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class TeamWithMembersSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    round_robin = serializers.BooleanField(
        help_text="Escalated tickets go to its available members in turn."
    )
    members = AgentSerializer(many=True, help_text="Its agents (ids to assign to).")


class TeamListView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="teams_list",
        tags=["tickets"],
        summary="The desk's teams and their agents (agents, admins)",
        description="The ids `POST /api/tickets/{id}/assign` takes. Teams are managed in "
        "Django admin.",
        responses={200: TeamWithMembersSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        teams = Team.objects.prefetch_related("members").order_by("name")
        return Response(TeamWithMembersSerializer(teams, many=True).data)
