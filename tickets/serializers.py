"""Tickets in and out of the API. Input serializers only check shape; the services own the rules."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from common.api_fields import (
    NullableCharField,
    NullableChoiceField,
    StrictBooleanField,
    StrictCharField,
)
from common.api_serializers import FieldsBuiltOnce
from tickets.models import EscalationReason, Message, Priority, Team, Ticket
from tickets.services import MAX_MESSAGE_LENGTH, MAX_SUBJECT_LENGTH, MAX_TAGS

# --- in ------------------------------------------------------------------------------------


class TicketCreateSerializer(serializers.Serializer):
    message = StrictCharField(
        max_length=MAX_MESSAGE_LENGTH, help_text="What the customer needs, in their words."
    )
    subject = StrictCharField(max_length=MAX_SUBJECT_LENGTH, allow_blank=True, default="")


class IntentSlugField(StrictCharField):
    """An intent's slug. The service checks it is a known one (one rule, for page and API);
    tickets/schema.py lists the known ones as the schema's enum."""


class TicketCreateWithFilesSerializer(TicketCreateSerializer):
    """The same as multipart/form-data, files in `attachments`: the message may be blank when
    a voice recording stands in for it (the service transcribes it)."""

    message = StrictCharField(max_length=MAX_MESSAGE_LENGTH, allow_blank=True, default="")


class TicketReplySerializer(serializers.Serializer):
    body = StrictCharField(max_length=MAX_MESSAGE_LENGTH)
    internal = StrictBooleanField(
        default=False, help_text="A note only agents see; cannot resolve or teach."
    )
    resolve = StrictBooleanField(default=False, help_text="Mark the ticket resolved.")
    intent = IntentSlugField(
        max_length=64,
        allow_blank=True,
        default="",
        # As sent: " track_order " is not a slug, and the schema's enum says so too.
        trim_whitespace=False,
        help_text='The correct intent\'s slug, when the AI got it wrong; "" keeps the current one.',
    )
    add_to_knowledge = StrictBooleanField(
        default=False,
        help_text="With resolve: offer this answer for similar tickets in future.",
    )


class CustomerReplySerializer(serializers.Serializer):
    body = StrictCharField(max_length=MAX_MESSAGE_LENGTH)


class TagListField(serializers.ListField):
    child = StrictCharField(max_length=50)
    max_length = MAX_TAGS


class TicketFieldsSerializer(serializers.Serializer):
    """PATCH /api/tickets/{id} (agents): the fields an agent sets by hand."""

    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    tags = TagListField(
        required=False,
        max_length=MAX_TAGS,
        help_text="The ticket's tags, replacing the ones it has (lower-case, no spaces).",
    )


class TicketAssignSerializer(serializers.Serializer):
    """POST /api/tickets/{id}/assign. A field left out keeps that side when it still fits."""

    agent = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="The agent's id; null: nobody. Left out: kept if a member of the new team.",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="The team's id; null: no team. Left out: kept if the agent is a member.",
    )


# --- out -----------------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class CustomerSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    email = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name"]


class AgentSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]


class TicketSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    intent = NullableCharField(help_text="The intent's slug; null until classified.")
    escalation_reason = NullableChoiceField(
        choices=EscalationReason.choices, help_text="Why it went to a person; null if it did not."
    )
    answer = serializers.CharField(
        source="latest_answer",
        allow_null=True,
        read_only=True,
        help_text="The newest answer the customer can see (automatic or an agent's), if any.",
    )
    customer = CustomerSerializer(read_only=True)
    assigned_agent = AgentSerializer(read_only=True, allow_null=True)
    team = serializers.SerializerMethodField(
        help_text="The team it is assigned to; null if none. Always null for customers."
    )
    tags = serializers.SerializerMethodField(
        help_text="Agents' labels (lower-case names). Agents and admins only: [] for customers."
    )
    language = serializers.CharField(
        read_only=True,
        help_text="The language the customer wrote in, detected when it was stored (an ISO "
        '639-1 code such as "es"; "" for tickets stored before detection).',
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "message",
            "language",
            "status",
            "intent",
            "confidence",
            "escalation_reason",
            "answer",
            "customer",
            "assigned_agent",
            "team",
            "priority",
            "tags",
            "created_at",
            "updated_at",
            "resolved_at",
            # SLA (tickets/sla.py): null while no clock runs (the ticket never went to a person).
            "first_response_due",
            "resolution_due",
            "first_responded_at",
        ]
        read_only_fields = fields

    def _for_agents(self) -> bool:
        """Tags and teams are the desk's own labels: only agents and admins read them."""
        request = self.context.get("request")
        return bool(request is not None and request.user.is_authenticated and request.user.is_agent)

    @extend_schema_field(TeamSerializer(allow_null=True))
    def get_team(self, ticket: Ticket) -> dict | None:
        if not self._for_agents() or ticket.team_id is None:
            return None
        return {"id": ticket.team_id, "name": ticket.team.name}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, ticket: Ticket) -> list[str]:
        if not self._for_agents():
            return []
        return sorted(tag.name for tag in ticket.tags.all())


class MessageSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "author_kind", "author_name", "body", "internal", "created_at"]
        read_only_fields = fields

    def get_author_name(self, message: Message) -> str | None:
        return message.author.get_full_name() if message.author else None


class TicketDetailSerializer(TicketSerializer):
    """The ticket with its conversation (`visible_messages`, set by the view for its reader)."""

    messages = MessageSerializer(many=True, read_only=True, source="visible_messages")

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages"]
        read_only_fields = fields
