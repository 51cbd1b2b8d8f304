"""The API's AI faces: a ticket with its latest decision, the resolve action, the metrics.

They live here, not in tickets/api.py, because they show resolution's data (Decision) and
tickets never imports resolution. Lookups still go through tickets' one visibility rule.

The pipeline module is imported where it is used: it loads the ML stack, which loading the URL
configuration (every process, every management command) should not pay for.
"""

from datetime import date

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAdmin
from common.api_errors import error_responses
from common.api_fields import NullableCharField, NullableChoiceField, StrictDateField
from resolution.metrics import metrics_summary
from resolution.models import Decision
from resolution.selectors import latest_decision
from tickets.api import get_visible_ticket
from tickets.models import EscalationReason
from tickets.selectors import latest_answer_in, messages_visible_to, tickets_visible_to
from tickets.serializers import TicketDetailSerializer, TicketFieldsSerializer, TicketSerializer
from tickets.services import ticket_set_priority, ticket_set_tags

# --- decisions -----------------------------------------------------------------------------


class AlternativeSerializer(serializers.Serializer):
    intent = serializers.CharField()
    probability = serializers.FloatField()


class FiredRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    stage = serializers.CharField(help_text="before_model or after_model")


class DecisionAuditSerializer(serializers.ModelSerializer):
    """Why the AI acted as it did: for agents and admins only."""

    reason_code = NullableChoiceField(
        choices=EscalationReason.choices, help_text="Why it escalated; null if it answered."
    )
    answer_source = NullableCharField(help_text="knowledge, template or llm; null if none.")

    alternatives = serializers.SerializerMethodField(help_text="Top intents, most likely first.")
    model_version = serializers.IntegerField(
        source="model_version.version", allow_null=True, read_only=True
    )
    thresholds = serializers.DictField(read_only=True)
    signals = serializers.DictField(read_only=True, help_text="Every signal the decision weighed.")
    rules_fired = FiredRuleSerializer(
        many=True, read_only=True, help_text="The admins' rules that fired, in order."
    )

    class Meta:
        model = Decision
        fields = [
            "reason_code",
            "alternatives",
            "matched_entry",
            "similarity",
            "answer_source",
            "thresholds",
            "signals",
            "rules_fired",
            "model_version",
            "latency_ms",
            "error",
        ]
        read_only_fields = fields

    @extend_schema_field(AlternativeSerializer(many=True))
    def get_alternatives(self, decision: Decision) -> list[dict]:
        return [
            {"intent": str(pair[0]), "probability": float(pair[1])}
            for pair in decision.alternatives or []
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]


class DecisionSerializer(serializers.ModelSerializer):
    intent = NullableCharField(source="predicted_intent", help_text="null if not classified.")
    audit = serializers.SerializerMethodField(
        help_text="The reasons and alternatives; null unless you are an agent or admin."
    )

    class Meta:
        model = Decision
        fields = ["id", "action", "intent", "confidence", "created_at", "audit"]
        read_only_fields = fields

    @extend_schema_field(DecisionAuditSerializer(allow_null=True))
    def get_audit(self, decision: Decision) -> dict | None:
        request = self.context.get("request")
        if request is None or not request.user.is_agent:
            return None
        return DecisionAuditSerializer(decision).data


class TicketWithDecisionSerializer(TicketDetailSerializer):
    decision = DecisionSerializer(source="latest_decision", allow_null=True, read_only=True)

    class Meta(TicketDetailSerializer.Meta):
        fields = [*TicketDetailSerializer.Meta.fields, "decision"]
        read_only_fields = fields


class TicketDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="tickets_retrieve",
        tags=["tickets"],
        summary="A ticket with its conversation and the AI's latest decision",
        description="Owners, agents and admins. Agents and admins also see internal notes and "
        "the decision's `audit` (reasons, alternatives).",
        responses={200: TicketWithDecisionSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        # Three queries after authentication, whatever the conversation's length: the ticket,
        # its messages (the latest answer is read from them, not from a subquery), the decision.
        ticket = tickets_visible_to(request.user).filter(pk=pk).first()
        if ticket is None:
            raise NotFound("No such ticket.")
        ticket.visible_messages = list(messages_visible_to(request.user, ticket))
        ticket.latest_answer = latest_answer_in(ticket.visible_messages)
        ticket.latest_decision = latest_decision(ticket)
        return Response(TicketWithDecisionSerializer(ticket, context={"request": request}).data)

    @extend_schema(
        operation_id="tickets_update_fields",
        tags=["tickets"],
        summary="Set a ticket's priority and tags (agents, admins)",
        description="Each field sent is set (tags replace the ticket's tags); each change is "
        "an audit event. Returns the ticket as the list shows it.",
        request=TicketFieldsSerializer,
        responses={200: TicketSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        if not request.user.is_agent:
            raise PermissionDenied("Only agents and admins can do this.")
        ticket = get_visible_ticket(request.user, pk)
        serializer = TicketFieldsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "priority" in data:
            ticket_set_priority(ticket=ticket, actor=request.user, priority=data["priority"])
        if "tags" in data:
            ticket_set_tags(ticket=ticket, actor=request.user, tags=data["tags"])
        fresh = get_visible_ticket(request.user, pk)
        return Response(TicketSerializer(fresh, context={"request": request}).data)


class ResolveResultSerializer(serializers.Serializer):
    already_decided = serializers.BooleanField(
        help_text="True: the ticket had been decided before; this is that decision, unchanged."
    )
    detail = serializers.CharField()
    ticket = TicketSerializer()
    decision = DecisionSerializer(allow_null=True)


class TicketResolveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="tickets_resolve",
        tags=["tickets"],
        summary="Run the automated resolution",
        description=(
            "Owners, agents and admins. Decides an open ticket (201). A ticket that is already "
            "decided keeps its decision: you get that one back (200, `already_decided`) and no "
            "second answer is posted."
        ),
        request=None,
        responses={
            201: ResolveResultSerializer,
            200: ResolveResultSerializer,
            **error_responses(401, 404),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        from resolution.services.pipeline import run_pipeline

        ticket = get_visible_ticket(request.user, pk)
        result = run_pipeline(ticket.pk)
        body = {
            "already_decided": not result.created,
            "detail": (
                "The ticket has been decided."
                if result.created
                else "The ticket was already decided; this is the existing decision."
            ),
            "ticket": get_visible_ticket(request.user, pk),
            "decision": result.decision,
        }
        return Response(
            ResolveResultSerializer(body, context={"request": request}).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


# --- metrics -------------------------------------------------------------------------------


class MetricsQuerySerializer(serializers.Serializer):
    def get_fields(self) -> dict:
        # "from" is a Python keyword, so the fields cannot be class attributes.
        return {
            "from": StrictDateField(required=False, help_text="First day (YYYY-MM-DD), inclusive."),
            "to": StrictDateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive."),
            "language": serializers.RegexField(
                r"^[a-z]{2,3}$",
                required=False,
                help_text='Only the tickets in this language (an ISO 639-1 code such as "es").',
            ),
        }


def _ratio(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, min_value=0, max_value=1, **kwargs)


class StatusCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    auto_resolved = serializers.IntegerField()
    escalated = serializers.IntegerField()
    resolved = serializers.IntegerField()


class TicketTotalsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    decided = serializers.IntegerField(help_text="No longer open.")
    ai_answered = serializers.IntegerField(help_text="The AI posted an answer (even if reopened).")
    reopened = serializers.IntegerField(help_text="Sent back to agents by their customer.")


class FeedbackTotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average_rating = serializers.FloatField(allow_null=True)
    resolved_count = serializers.IntegerField()
    ai_rated = serializers.IntegerField(help_text="Ratings of the AI's answers.")
    ai_confirmed = serializers.IntegerField(help_text="…of which the customer said: resolved.")
    feedback_confirmed_resolution_rate = _ratio(help_text="ai_confirmed / ai_rated.")


class DeflectionTotalsSerializer(serializers.Serializer):
    shown = serializers.IntegerField()
    helpful = serializers.IntegerField(help_text="Suggestions that answered before a ticket.")


class IntentMetricsSerializer(serializers.Serializer):
    intent = serializers.CharField(help_text='The slug; "" for tickets not classified.')
    name = serializers.CharField()
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    auto_resolution_rate = _ratio()
    escalation_rate = _ratio()
    mean_confidence = _ratio()
    average_rating = serializers.FloatField(allow_null=True)


class EscalationReasonCountSerializer(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ResolvedByAISerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Still auto-resolved and confirmed or quiet.")
    confirmed = serializers.IntegerField(help_text="The customer said the answer resolved it.")
    no_follow_up = serializers.IntegerField(help_text="No reply within the resolution window.")


class SlaTargetSerializer(serializers.Serializer):
    met = serializers.IntegerField(help_text="Settled by the due time.")
    breached = serializers.IntegerField(help_text="Settled late, or still open past due.")
    attainment = _ratio(help_text="met / (met + breached); targets still running not counted.")


class SlaRowSerializer(serializers.Serializer):
    tickets = serializers.IntegerField(help_text="Tickets that went to a person (a clock ran).")
    first_response = SlaTargetSerializer()
    resolution = SlaTargetSerializer()


class SlaPriorityRowSerializer(SlaRowSerializer):
    priority = serializers.CharField()
    label = serializers.CharField()


class SlaWeekRowSerializer(SlaRowSerializer):
    week_of = serializers.DateField(help_text="The Monday the week starts on.")


class SlaAttainmentSerializer(SlaRowSerializer):
    by_priority = SlaPriorityRowSerializer(many=True)
    by_week = SlaWeekRowSerializer(many=True, help_text="Per week of creation, oldest first.")


class CsatFiguresSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Survey answers.")
    satisfied = serializers.IntegerField(help_text="…scoring 4 or 5.")
    csat = _ratio(help_text="satisfied / count.")
    average_score = serializers.FloatField(allow_null=True, help_text="1 to 5.")


class CsatAgentSerializer(CsatFiguresSerializer):
    agent_id = serializers.IntegerField(allow_null=True, help_text="Who resolved the ticket.")
    name = serializers.CharField()


class CsatTeamSerializer(CsatFiguresSerializer):
    team_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class CsatIntentSerializer(CsatFiguresSerializer):
    intent = serializers.CharField(help_text='The slug; "" for tickets not classified.')
    name = serializers.CharField()


class CsatSerializer(CsatFiguresSerializer):
    by_agent = CsatAgentSerializer(many=True)
    by_team = CsatTeamSerializer(many=True)
    by_intent = CsatIntentSerializer(many=True)


class LanguageMetricsSerializer(serializers.Serializer):
    language = serializers.CharField(help_text='ISO 639-1 code; "" for tickets not detected.')
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    auto_resolution_rate = _ratio()
    escalation_rate = _ratio()


class MetricsSerializer(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    tickets = TicketTotalsSerializer()
    auto_resolution_rate = _ratio(help_text="Decided tickets the AI answered for good.")
    escalation_rate = _ratio(help_text="Decided tickets that needed a person.")
    ai_resolution_rate = _ratio(help_text="Decided tickets resolved by the AI (resolved_by_ai).")
    resolved_by_ai = ResolvedByAISerializer()
    feedback = FeedbackTotalsSerializer()
    deflections = DeflectionTotalsSerializer()
    intents = IntentMetricsSerializer(many=True)
    escalation_reasons = EscalationReasonCountSerializer(many=True)
    sla = SlaAttainmentSerializer(help_text="SLA targets met, overall and per priority.")
    csat = CsatSerializer(
        help_text="The satisfaction survey after agents resolve: overall, per agent, team and "
        "intent (tickets created in the range)."
    )
    languages = LanguageMetricsSerializer(many=True, help_text="Per language, busiest first.")


class MetricsView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_metrics",
        tags=["admin"],
        summary="Desk metrics (admins)",
        description=(
            "About the tickets created between `from` and `to` (inclusive, both optional; "
            "`from` after `to` is an empty range, as in the ticket list's filters). "
            "Ratios are between 0 and 1, null when there is nothing to divide by. The "
            "auto-resolution and escalation rates are shares of decided tickets. With "
            "`language`, only the tickets written in that language count."
        ),
        parameters=[MetricsQuerySerializer],
        responses={200: MetricsSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: DRF reads "" in form-like input as "absent".
        query = MetricsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        date_from: date | None = query.validated_data.get("from")
        date_to: date | None = query.validated_data.get("to")
        language: str | None = query.validated_data.get("language")
        summary = metrics_summary(date_from=date_from, date_to=date_to, language=language)
        return Response(MetricsSerializer(summary).data)
