"""Agents create a new intent from the workspace, with its answer template, and retraining
learns it: the classifier then recognises paraphrases and the intent's template answers."""

import pytest
from django.urls import reverse

from common.errors import Conflict, InvalidInput
from resolution.models import AnswerTemplate, Intent, TrainingExample
from resolution.services.intents import intent_create
from resolution.services.pipeline import run_pipeline
from resolution.services.registry import registry
from resolution.services.seed import load_starter_examples
from resolution.services.training import train_model
from tests.conftest import PASSWORD
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

GIFT_CARD_WAYS = [
    "Do you sell gift cards in Japan?",
    "Can I buy a gift card for someone in Japan?",
    "Are your gift cards available in Japan?",
    "I want to send a gift card to a friend in Japan",
    "gift card japan",
    "Where can I get a gift voucher to use in Japan?",
]
TEMPLATE = "Hi {{ customer_name }},\n\nYes: our e-gift cards work in Japan, see /gift-cards/."


def test_an_agent_creates_an_intent_from_the_ticket(client, agent, alice, taxonomy):
    ticket = ticket_create(customer=alice, message=GIFT_CARD_WAYS[0])
    client.login(email=agent.email, password=PASSWORD)
    url = reverse("ai:intent_new", args=[ticket.pk])
    page = client.get(url).content.decode()
    assert GIFT_CARD_WAYS[0] in page  # the ticket's words, to edit into examples
    response = client.post(
        url,
        {"name": "Gift cards", "template": TEMPLATE, "examples": "\n".join(GIFT_CARD_WAYS[:3])},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/{ticket.pk}/")
    intent = Intent.objects.get(slug="gift_cards")
    assert intent.active and intent.name == "Gift cards"
    assert AnswerTemplate.objects.get(intent=intent).body == TEMPLATE
    assert TrainingExample.objects.filter(intent=intent, source="agent").count() == 3
    # It is in the agent's intent list for resolving the ticket at once.
    workspace = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert 'value="gift_cards"' in workspace


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "", "template": TEMPLATE, "examples": "a\nb"}, "name"),
        ({"name": "Gift cards", "template": "{% if %}", "examples": "a\nb"}, "template"),
        ({"name": "Gift cards", "template": TEMPLATE, "examples": "one way\none way"}, "examples"),
        ({"name": "!!!", "template": TEMPLATE, "examples": "a\nb"}, "name"),
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(
    client, agent, alice, taxonomy, fields, error
):
    ticket = ticket_create(customer=alice, message="gift cards?")
    client.login(email=agent.email, password=PASSWORD)
    before = Intent.objects.count()
    response = client.post(reverse("ai:intent_new", args=[ticket.pk]), fields)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert Intent.objects.count() == before


def test_an_existing_intent_is_a_conflict(agent, taxonomy):
    with pytest.raises(Conflict):
        intent_create(name="Track order", template=TEMPLATE, examples=["a b", "c d"], agent=agent)
    with pytest.raises(InvalidInput):
        intent_create(name="x" * 200, template=TEMPLATE, examples=["a b", "c d"], agent=agent)


def test_customers_cannot_create_intents(client, alice, taxonomy):
    ticket = ticket_create(customer=alice, message="gift cards?")
    client.login(email=alice.email, password=PASSWORD)
    response = client.post(
        reverse("ai:intent_new", args=[ticket.pk]),
        {"name": "Gift cards", "template": TEMPLATE, "examples": "a\nb"},
    )
    assert response.status_code in (302, 403)
    assert not Intent.objects.filter(slug="gift_cards").exists()


def test_retraining_learns_the_new_intent_and_its_template_answers(
    agent, alice, trained_model, settings
):
    settings.KNOWLEDGE_DIRECT_ANSWERS = False  # the classifier's path alone
    load_starter_examples()
    intent_create(name="Gift cards", template=TEMPLATE, examples=GIFT_CARD_WAYS, agent=agent)
    result = train_model(force=True)
    assert "gift_cards" in result.version.trained_on["by_intent"]
    registry.clear()  # this process loads the new model now, not in MODEL_RELOAD_SECONDS
    ticket = ticket_create(customer=alice, message="Could I purchase a gift card in Japan?")
    run_pipeline(ticket.pk)
    decision = ticket.decisions.get()
    assert decision.predicted_intent == "gift_cards"
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved"
    body = ticket.messages.get(author_kind="assistant").body
    assert "e-gift cards work in Japan" in body and "Alice" in body
