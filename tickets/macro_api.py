"""Macros in the API: GET/POST /api/macros, GET/PATCH/DELETE /api/macros/{id} (agents, admins).

Each agent sees the shared macros and their own personal ones; another agent's personal macro
is a 404, exactly like a missing one. Shared macros are made and changed by admins.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAgent
from common.api_errors import error_responses
from common.api_fields import StrictBooleanField, StrictCharField
from tickets.macros import (
    MAX_TITLE_LENGTH,
    macro_create,
    macro_delete,
    macro_update,
    macros_visible_to,
)
from tickets.models import Macro, Priority
from tickets.serializers import TagListField
from tickets.services import MAX_MESSAGE_LENGTH

STATUS_CHOICES = [("", "Leave as it is"), ("resolved", "Resolved")]
PRIORITY_CHOICES = [("", "Leave as it is"), *Priority.choices]


class MacroSerializer(serializers.ModelSerializer):
    shared = serializers.SerializerMethodField(help_text="Every agent sees it (else: yours).")
    add_tags = serializers.SerializerMethodField(help_text="Tags the reply adds to the ticket.")

    class Meta:
        model = Macro
        fields = [
            "id",
            "title",
            "body",
            "shared",
            "set_status",
            "set_priority",
            "add_tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_shared(self, macro: Macro) -> bool:
        return macro.owner_id is None

    def get_add_tags(self, macro: Macro) -> list[str]:
        return [tag.name for tag in macro.add_tags.all()]


class MacroWriteSerializer(serializers.Serializer):
    title = StrictCharField(max_length=MAX_TITLE_LENGTH)
    body = StrictCharField(
        max_length=MAX_MESSAGE_LENGTH,
        help_text="The reply, with placeholders: {{ customer.name }}, {{ customer.first_name }}, "
        "{{ customer.email }}, {{ ticket.id }}, {{ ticket.subject }}, {{ agent.name }}, "
        "{{ agent.first_name }}. Anything else between braces is refused.",
    )
    shared = StrictBooleanField(
        default=False, help_text="Shared with every agent (admins only); else personal."
    )
    set_status = serializers.ChoiceField(choices=STATUS_CHOICES, default="")
    set_priority = serializers.ChoiceField(choices=PRIORITY_CHOICES, default="")
    add_tags = TagListField(default=list)


class MacroUpdateSerializer(MacroWriteSerializer):
    """PATCH: every field optional; whether it is shared does not change."""

    title = StrictCharField(max_length=MAX_TITLE_LENGTH, required=False)
    body = StrictCharField(max_length=MAX_MESSAGE_LENGTH, required=False)
    shared = None
    set_status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    set_priority = serializers.ChoiceField(choices=PRIORITY_CHOICES, required=False)
    add_tags = TagListField(required=False)


class MacroListView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="macros_list",
        tags=["macros"],
        summary="Your macros (agents, admins)",
        description="The shared macros and your personal ones, by title.",
        responses={200: MacroSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(MacroSerializer(macros_visible_to(request.user), many=True).data)

    @extend_schema(
        operation_id="macros_create",
        tags=["macros"],
        summary="Make a macro (agents; shared ones: admins)",
        description="An unknown placeholder is a 400; a shared macro from an agent, a 403.",
        request=MacroWriteSerializer,
        responses={201: MacroSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        serializer = MacroWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        macro = macro_create(author=request.user, **serializer.validated_data)
        return Response(MacroSerializer(macro).data, status=status.HTTP_201_CREATED)


def _visible_macro(request: Request, pk: int) -> Macro:
    macro = macros_visible_to(request.user).filter(pk=pk).first()
    if macro is None:
        raise NotFound("No such macro.")
    return macro


class MacroDetailView(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        operation_id="macros_retrieve",
        tags=["macros"],
        summary="A macro",
        responses={200: MacroSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(MacroSerializer(_visible_macro(request, pk)).data)

    @extend_schema(
        operation_id="macros_update",
        tags=["macros"],
        summary="Change a macro (its owner; shared ones: admins)",
        request=MacroUpdateSerializer,
        responses={200: MacroSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        macro = _visible_macro(request, pk)
        serializer = MacroUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        macro = macro_update(macro=macro, user=request.user, **serializer.validated_data)
        return Response(MacroSerializer(macro).data)

    @extend_schema(
        operation_id="macros_delete",
        tags=["macros"],
        summary="Delete a macro (its owner; shared ones: admins)",
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        macro_delete(macro=_visible_macro(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
