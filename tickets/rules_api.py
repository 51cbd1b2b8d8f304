"""Admins' rules (triggers): GET/POST /api/admin/rules, GET/PUT/DELETE /api/admin/rules/{id}.

Thin over tickets/rules.py: the serializer checks the shape, `rule_save` the meaning (a bad
regex, an unknown field or team is a 400 in the API's error shape).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAdmin
from common.api_errors import error_responses
from common.api_fields import StrictBooleanField, StrictCharField
from tickets.models import Rule, RuleStage
from tickets.rules import rule_save

CONDITIONS_HELP = (
    'All must hold: [{"field", "op", "value"}]. text: contains | matches (a regular expression, '
    "with a timeout); intent, language, channel, priority, customer (e-mail or @domain): is "
    "(a value or a list); business_hours: is true/false."
)
ACTIONS_HELP = (
    '[{"type", "value"}]: set_priority, add_tag, assign_team (a team\'s name), escalate '
    "(reason rule), reply (a text), webhook (an optional label; event rule.fired)."
)


class RuleInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)
    active = StrictBooleanField(default=True)
    stage = serializers.ChoiceField(choices=RuleStage.choices, default=RuleStage.BEFORE_MODEL)
    conditions = serializers.ListField(
        child=serializers.DictField(), default=list, help_text=CONDITIONS_HELP
    )
    actions = serializers.ListField(child=serializers.DictField(), help_text=ACTIONS_HELP)


class RuleSerializer(serializers.ModelSerializer):
    conditions = serializers.ListField(child=serializers.DictField(), read_only=True)
    actions = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "position",
            "active",
            "stage",
            "conditions",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _save(request: Request, rule: Rule | None = None) -> Rule:
    serializer = RuleInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return rule_save(rule=rule, **serializer.validated_data)


class RuleListCreateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="rules_list",
        tags=["admin"],
        summary="List rules in the order they run (admins)",
        responses={200: RuleSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(RuleSerializer(Rule.objects.all(), many=True).data)

    @extend_schema(
        operation_id="rules_create",
        tags=["admin"],
        summary="Add a rule (admins)",
        request=RuleInputSerializer,
        responses={201: RuleSerializer, **error_responses(400, 401, 403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        return Response(RuleSerializer(_save(request)).data, status=status.HTTP_201_CREATED)


class RuleDetailView(APIView):
    permission_classes = [IsAdmin]

    def _rule(self, pk: int) -> Rule:
        rule = Rule.objects.filter(pk=pk).first()
        if rule is None:
            raise NotFound("No such rule.")
        return rule

    @extend_schema(
        operation_id="rules_read",
        tags=["admin"],
        summary="One rule (admins)",
        responses={200: RuleSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(RuleSerializer(self._rule(pk)).data)

    @extend_schema(
        operation_id="rules_update",
        tags=["admin"],
        summary="Replace a rule (admins)",
        request=RuleInputSerializer,
        responses={200: RuleSerializer, **error_responses(400, 401, 403, 404, 413, 415)},
    )
    def put(self, request: Request, pk: int) -> Response:
        return Response(RuleSerializer(_save(request, self._rule(pk))).data)

    @extend_schema(
        operation_id="rules_delete",
        tags=["admin"],
        summary="Delete a rule (admins)",
        request=None,
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        self._rule(pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
