"""The autonomy API (admins): GET /api/admin/autonomy lists the intents with their mode and live
precision; PATCH /api/admin/autonomy/{slug} sets a mode through the same service as the page."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAdmin
from common.api_errors import error_responses
from resolution.models import AutonomyMode, Intent
from resolution.selectors import IntentAutonomy, autonomy_overview
from resolution.services.autonomy import intent_autonomy_set


class IntentAutonomySerializer(serializers.Serializer):
    intent = serializers.CharField(source="intent.slug")
    name = serializers.CharField(source="intent.name")
    mode = serializers.CharField(help_text='off, draft, auto; "" follows the desk.')
    effective_mode = serializers.CharField(source="effective", help_text="off, draft or auto.")
    verified = serializers.IntegerField(source="live.n")
    correct = serializers.IntegerField(source="live.correct")
    precision = serializers.FloatField(source="live.precision", allow_null=True)
    lower_bound = serializers.FloatField(source="live.lower_bound", allow_null=True)
    can_promote = serializers.BooleanField()


class AutonomyListSerializer(serializers.Serializer):
    earned_autonomy = serializers.BooleanField()
    target_precision = serializers.FloatField()
    min_verified = serializers.IntegerField()
    confidence = serializers.FloatField()
    window_days = serializers.IntegerField()
    intents = IntentAutonomySerializer(many=True)


class AutonomyModeSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=AutonomyMode.choices, allow_blank=True)


def _row(slug: str) -> IntentAutonomy:
    return next(row for row in autonomy_overview()[1] if row.intent.slug == slug)


class AutonomyListView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_autonomy_list",
        tags=["admin"],
        summary="Intents' autonomy modes and live precision (admins)",
        responses={200: AutonomyListSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        earned, rows = autonomy_overview()
        body = {
            "earned_autonomy": earned,
            "target_precision": settings.AUTONOMY_TARGET_PRECISION,
            "min_verified": settings.AUTONOMY_MIN_VERIFIED,
            "confidence": settings.AUTONOMY_CONFIDENCE,
            "window_days": settings.AUTONOMY_WINDOW_DAYS,
            "intents": rows,
        }
        return Response(AutonomyListSerializer(body).data)


class AutonomyDetailView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="admin_autonomy_set",
        tags=["admin"],
        summary="Set an intent's autonomy mode (admins)",
        description=(
            "Promotion to `auto` needs the intent's live lower bound at or above the target "
            "on enough verified tickets; otherwise 400 `autonomy_not_earned`."
        ),
        request=AutonomyModeSerializer,
        responses={200: IntentAutonomySerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, slug: str) -> Response:
        intent = Intent.objects.filter(slug=slug, active=True).first()
        if intent is None:
            raise NotFound("No such intent.")
        body = AutonomyModeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        intent_autonomy_set(intent=intent, mode=body.validated_data["mode"], actor=request.user)
        return Response(IntentAutonomySerializer(_row(slug)).data)
