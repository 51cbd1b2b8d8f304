"""The queue's API for agents and admins: saved views (GET/POST /api/views, DELETE
/api/views/{id}) and bulk actions (POST /api/tickets/bulk). Thin over tickets.services and
tickets.bulk, the same functions the queue page calls."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAgent
from common.api_errors import error_responses
from common.api_fields import StrictCharField
from tickets.bulk import MAX_BULK_TICKETS, BulkAction, tickets_bulk_apply
from tickets.models import SavedView
from tickets.services import saved_view_create

# --- saved views ---------------------------------------------------------------------------


class SavedViewSerializer(serializers.ModelSerializer):
    query = StrictCharField(
        max_length=1000,
        allow_blank=True,
        default="",
        help_text="The queue page's query string, e.g. `view=mine&priority=high` (the view "
        "and filters; anything else is dropped).",
    )
    name = StrictCharField(max_length=60)

    class Meta:
        model = SavedView
        fields = ["id", "name", "query", "created_at"]
        read_only_fields = ["id", "created_at"]


class SavedViewListCreateView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="views_list",
        tags=["queue"],
        summary="Your saved queue views (agents, admins)",
        responses={200: SavedViewSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        views = SavedView.objects.filter(owner=request.user)
        return Response(SavedViewSerializer(views, many=True).data)

    @extend_schema(
        operation_id="views_create",
        tags=["queue"],
        summary="Save a queue view (agents, admins)",
        description="A name used again replaces that view's query. At most 30 views each.",
        request=SavedViewSerializer,
        responses={201: SavedViewSerializer, **error_responses(400, 401, 403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        serializer = SavedViewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        view = saved_view_create(owner=request.user, **serializer.validated_data)
        return Response(SavedViewSerializer(view).data, status=status.HTTP_201_CREATED)


class SavedViewDetailView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="views_delete",
        tags=["queue"],
        summary="Delete one of your saved views (agents, admins)",
        request=None,
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        # Another agent's view is a 404, exactly like a missing one.
        deleted, _ = SavedView.objects.filter(pk=pk, owner=request.user).delete()
        if not deleted:
            raise NotFound("No such view.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- bulk actions --------------------------------------------------------------------------


class BulkRequestSerializer(serializers.Serializer):
    tickets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_BULK_TICKETS,
        help_text="The tickets' ids.",
    )
    action = serializers.ChoiceField(choices=BulkAction.choices)
    value = StrictCharField(
        max_length=50,
        allow_blank=True,
        default="",
        help_text='assign: an agent\'s id ("" unassigns); team: a team\'s id ("" clears); '
        "tag: the tag's name; priority: low, normal, high or urgent; resolve: nothing.",
    )


class BulkResultSerializer(serializers.Serializer):
    ticket_id = serializers.IntegerField()
    ok = serializers.BooleanField()
    error = serializers.CharField(help_text='Why this ticket did not change; "" when it did.')


class BulkResponseSerializer(serializers.Serializer):
    changed = serializers.IntegerField()
    results = BulkResultSerializer(many=True)


class TicketBulkView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="tickets_bulk",
        tags=["tickets"],
        summary="Change many tickets at once (agents, admins)",
        description=(
            "Assign to an agent or team, add a tag, set the priority or resolve, ticket by "
            "ticket: each change is checked (a ticket another agent holds is refused unless "
            "you are an admin) and audited like one made on the ticket alone. The others "
            "still change; `results` says what happened to each. Bad input changes nothing."
        ),
        request=BulkRequestSerializer,
        responses={200: BulkResponseSerializer, **error_responses(400, 401, 403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        results = tickets_bulk_apply(
            actor=request.user,
            ticket_ids=data["tickets"],
            action=data["action"],
            value=data["value"],
        )
        body = {"changed": sum(r.ok for r in results), "results": results}
        return Response(BulkResponseSerializer(body).data)
