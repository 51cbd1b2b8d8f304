"""An entry answers in another language only through a reviewed translation: one written by
a person, or drafted by the optional LLM (a real local HTTP server speaking the
OpenAI-compatible API here) and reviewed like any other entry."""

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from common.errors import Conflict, InvalidInput
from resolution.engine.llm import DisabledLLM, OpenAICompatibleLLM
from resolution.models import KnowledgeEntry, KnowledgeStatus
from resolution.services.registry import registry
from resolution.services.review import knowledge_entry_approve
from resolution.services.translations import (
    knowledge_translation_create,
    knowledge_translation_draft,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ANSWER = "Follow it at {{ shop.orders_url }} once it ships."


@pytest.fixture
def source(db):
    return KnowledgeEntry.objects.create(
        question="Where is my parcel?", title="Where is my parcel?", answer=ANSWER
    )


def chat(content: str) -> bytes:
    return json.dumps({"choices": [{"message": {"content": content}}]}).encode()


def test_a_person_writes_a_translation_that_waits_for_review(source, admin_user):
    entry = knowledge_translation_create(
        source_id=source.pk,
        language="es",
        question="¿Dónde está mi paquete?",
        answer="Síguelo en {{ shop.orders_url }} cuando salga.",
        created_by=admin_user,
    )
    assert (entry.language, entry.translation_of, entry.status) == ("es", source, "pending")
    assert entry.pk not in {item.id for item in registry.index().items}
    knowledge_entry_approve(entry_id=entry.pk, reviewer=admin_user)
    registry.clear()
    item = next(i for i in registry.index().items if i.id == entry.pk)
    assert item.language == "es"


@pytest.mark.parametrize(
    ("language", "error"), [("en", InvalidInput), ("xx", InvalidInput), ("es", Conflict)]
)
def test_bad_translations_are_refused(source, language, error):
    knowledge_translation_create(source_id=source.pk, language="es", question="q", answer="a")
    with pytest.raises(error):
        knowledge_translation_create(
            source_id=source.pk, language=language, question="q", answer="a"
        )


def test_the_llm_drafts_a_translation_for_review(source, http_receiver):
    http_receiver.replies = [
        (
            200,
            chat(
                '{"question": "¿Dónde está mi paquete?", '
                '"answer": "Síguelo en {{ shop.orders_url }} cuando salga."}'
            ),
        )
    ]
    llm = OpenAICompatibleLLM(http_receiver.url, "test-model")
    entry = knowledge_translation_draft(source_id=source.pk, language="es", llm=llm)
    assert entry.status == KnowledgeStatus.PENDING and entry.translation_of == source
    assert entry.answer == "Síguelo en {{ shop.orders_url }} cuando salga."
    prompt = http_receiver.requests[0].json()["messages"][1]["content"]
    assert "Español" in prompt or "español" in prompt
    assert ANSWER in json.loads(prompt.split("\n\n", 1)[1])["answer"]


@pytest.mark.parametrize(
    "reply",
    [
        (200, chat("Claro, aquí está la traducción.")),  # not JSON
        (200, chat('{"question": "¿Dónde?", "answer": "Síguelo en tu cuenta."}')),  # lost link
        (500, b"oops"),
    ],
)
def test_an_unusable_draft_creates_nothing(source, http_receiver, reply):
    http_receiver.replies = [reply]
    llm = OpenAICompatibleLLM(http_receiver.url, "test-model")
    assert knowledge_translation_draft(source_id=source.pk, language="es", llm=llm) is None
    assert not source.translations.exists()


def test_without_an_llm_nothing_is_drafted(source):
    assert (
        knowledge_translation_draft(source_id=source.pk, language="es", llm=DisabledLLM()) is None
    )


def test_the_admin_action_says_so_without_an_llm(client, admin_user, source, settings):
    settings.LLM_BASE_URL = ""
    client.login(email=admin_user.email, password=PASSWORD)
    response = client.post(
        reverse("admin:resolution_knowledgeentry_changelist"),
        {"action": "draft_translations", "_selected_action": [source.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert any("No LLM is configured" in str(m) for m in get_messages(response.wsgi_request))
    assert not source.translations.exists()


def test_the_admin_action_drafts_every_language(
    client, admin_user, source, settings, http_receiver
):
    http_receiver.respond = lambda path, headers, body: (
        200,
        chat('{"question": "Q", "answer": "A {{ shop.orders_url }}"}'),
    )
    settings.LLM_BASE_URL, settings.LLM_MODEL = http_receiver.url, "test-model"
    client.login(email=admin_user.email, password=PASSWORD)
    client.post(
        reverse("admin:resolution_knowledgeentry_changelist"),
        {"action": "draft_translations", "_selected_action": [source.pk]},
    )
    languages = set(source.translations.values_list("language", flat=True))
    assert languages == {code for code, _ in settings.LANGUAGES} - {"en"}


def test_the_reviewer_sees_the_original_beside_the_translation(client, agent, source):
    knowledge_translation_create(
        source_id=source.pk,
        language="de",
        question="Wo ist mein Paket?",
        answer="Verfolgen Sie es unter {{ shop.orders_url }}.",
    )
    client.login(email=agent.email, password=PASSWORD)
    page = client.get(reverse("ai:knowledge")).content.decode()
    assert "Wo ist mein Paket?" in page and "Deutsch" in page
    assert "A translation of “Where is my parcel?”" in page


def test_customers_cannot_see_the_review_page(client, alice):
    client.login(email=alice.email, password=PASSWORD)
    assert client.get(reverse("ai:knowledge")).status_code in (302, 403)
