"""`POST /api/feedback/{ticket_id}`: the ticket's owner rates its latest answer, once.

Thin over `feedback.services.feedback_submit`, the service the portal's form calls. Rating the
same answer twice is a 409 (`feedback_exists`); "resolved": false on an answered ticket hands it
back to the agents (status escalated, reason reopened).
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import IsCustomer
from common.api_errors import error_responses
from common.api_fields import StrictBooleanField, StrictCharField, StrictIntegerField
from feedback.models import Feedback
from feedback.services import MAX_COMMENT_LENGTH, feedback_submit
from tickets.api import get_visible_ticket
from tickets.models import TicketStatus


class FeedbackCreateSerializer(serializers.Serializer):
    rating = StrictIntegerField(min_value=1, max_value=5, help_text="1 (bad) to 5 (great).")
    resolved = StrictBooleanField(help_text="Did the answer solve the problem?")
    comment = StrictCharField(max_length=MAX_COMMENT_LENGTH, allow_blank=True, default="")


class FeedbackSerializer(serializers.ModelSerializer):
    ticket_status = serializers.ChoiceField(
        source="ticket.status",
        choices=TicketStatus.choices,
        read_only=True,
        help_text="The ticket's status after the feedback (escalated when reopened).",
    )

    class Meta:
        model = Feedback
        fields = [
            "id",
            "ticket",
            "answer",
            "rating",
            "resolved",
            "comment",
            "created_at",
            "ticket_status",
        ]
        read_only_fields = fields


class FeedbackView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        operation_id="feedback_create",
        tags=["feedback"],
        summary="Rate a ticket's answer (the ticket's owner)",
        description=(
            "Rates the latest answer of the ticket. `resolved: false` on an answered ticket "
            "reopens it for the agents. One rating per answer: a second one is a 409 "
            "(`feedback_exists`); a ticket without an answer yet is a 409 (`no_answer`)."
        ),
        request=FeedbackCreateSerializer,
        responses={
            201: FeedbackSerializer,
            **error_responses(400, 401, 403, 404, 409, 413, 415, 429),
        },
        examples=[
            OpenApiExample(
                "Solved", value={"rating": 5, "resolved": True, "comment": ""}, request_only=True
            )
        ],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = get_visible_ticket(request.user, ticket_id)
        serializer = FeedbackCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = feedback_submit(
            ticket=ticket, customer=request.user, **serializer.validated_data
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)
