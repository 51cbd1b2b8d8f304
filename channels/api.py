"""Admins register webhook endpoints: POST/GET /api/admin/webhooks, DELETE .../{id}.

Thin over channels.services.webhooks (the same rules as Django admin's form). The secret is
write-only: it is never shown again.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsAdmin
from channels.models import WebhookEndpoint, WebhookEvent
from channels.services.webhooks import MAX_SECRET_LENGTH, webhook_delete, webhook_register
from common.api_errors import error_responses
from common.api_fields import StrictCharField


class WebhookCreateSerializer(serializers.Serializer):
    url = StrictCharField(max_length=500, help_text="http(s) URL the events are POSTed to.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=10
    )
    secret = StrictCharField(
        min_length=16,
        max_length=MAX_SECRET_LENGTH,
        write_only=True,
        help_text="Signs every delivery (X-SupportDesk-Signature); never shown again.",
    )


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "created_at"]


class WebhookListCreateView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="webhooks_list",
        tags=["admin"],
        summary="List webhook endpoints (admins)",
        responses={200: WebhookSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(WebhookSerializer(WebhookEndpoint.objects.order_by("id"), many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        tags=["admin"],
        summary="Register a webhook endpoint (admins)",
        description="Events: ticket.created, ticket.auto_resolved, ticket.escalated, "
        "ticket.resolved, feedback.received, ticket.sla_warning, ticket.sla_breached, "
        "rule.fired. Private and loopback addresses are refused "
        "unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on.",
        request=WebhookCreateSerializer,
        responses={201: WebhookSerializer, **error_responses(400, 401, 403, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_register(created_by=request.user, **serializer.validated_data)
        return Response(WebhookSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="webhooks_delete",
        tags=["admin"],
        summary="Delete a webhook endpoint (admins)",
        request=None,
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = WebhookEndpoint.objects.filter(pk=pk).first()
        if endpoint is None:
            raise NotFound("No such webhook.")
        webhook_delete(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
