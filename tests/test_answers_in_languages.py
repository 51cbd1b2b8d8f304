"""Answers a shop can stand behind, in the customer's language: every template in every
language renders for a sample ticket with the shop's links (no placeholder left, no desk path
that 404s, one greeting); a ticket is answered in its language, else in English with a line
saying so; knowledge answers only in its own language or through a reviewed translation; the
shop's links are an admin setting; links are clickable on the page and in the HTML e-mail."""

import json
import re

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.urls import reverse

from channels.services.email_out import answer_email
from resolution.engine.knowledge import usable_match
from resolution.engine.phrases import GREETINGS, greeting
from resolution.engine.responder import respond
from resolution.engine.types import KnowledgeItem, Match
from resolution.models import AnswerTemplate, KnowledgeEntry, KnowledgeStatus, ShopProfile
from resolution.services.answer_context import answer_context
from resolution.services.pipeline import intent_policy, run_pipeline
from resolution.starter_data import DATA_DIR, starter_translations
from tests.conftest import PASSWORD
from tickets.models import AuthorKind, Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _ in settings.LANGUAGES]
INTENTS = [spec["slug"] for spec in json.loads((DATA_DIR / "intents.json").read_text("utf-8"))]
# A path on the desk's own site written as text ("/orders/"): a 404 for the customer.
RAW_PATH = re.compile(r"(?<![\w.:/}])/[a-z][a-z0-9_-]*(?:/[a-z0-9_-]+)*/")
STRICT = Engine(autoescape=False, string_if_invalid="<<MISSING %s>>")


class NoLLM:
    def generate(self, prompt, *, system):
        raise AssertionError("a template answer needs no LLM")


def sample_ticket(customer, language: str) -> Ticket:
    ticket = ticket_create(customer=customer, message="Sample question")
    ticket.language = language
    return ticket


def test_every_intent_has_a_template_in_every_served_language():
    translations = starter_translations()
    for language in LANGUAGES:
        if language == "en":
            continue
        assert set(translations[language]) == set(INTENTS), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_for_a_sample_ticket(alice, taxonomy, language):
    ticket = sample_ticket(alice, language)
    context = answer_context(ticket)
    shop = ShopProfile.load()
    for slug in INTENTS:
        _, templates = intent_policy(slug)
        body = templates[language]
        strict = STRICT.from_string(body).render(Context(context, autoescape=False))
        assert "<<MISSING" not in strict, (slug, language, strict)
        answer = respond(
            text="q",
            intent=slug,
            match=None,
            template=templates,
            context=context,
            llm=NoLLM(),
            language=language,
        )
        assert answer.source == "template"
        text = answer.text
        assert "{{" not in text and "{%" not in text, (slug, language)
        assert not RAW_PATH.search(text), (slug, language, RAW_PATH.search(text))
        opening = greeting(language, "Alice")
        assert text.startswith(opening + "\n\n") and text.count(opening) == 1, (slug, language)
        # No second greeting of any language at the top of the body.
        body_start = text[len(opening) :].lstrip()
        assert not any(body_start.startswith(g[0].split()[0]) for g in GREETINGS.values())
        if "shop." in body:
            assert shop.orders_url in text or "https://shop.example.com/" in text


def test_the_starter_knowledge_names_no_desk_paths():
    entries = json.loads((DATA_DIR / "knowledge_base.json").read_text("utf-8"))
    assert not [e["question"] for e in entries if RAW_PATH.search(e["answer"])]


def test_a_ticket_in_spanish_is_answered_in_spanish(alice, trained_model):
    ticket = ticket_create(
        customer=alice,
        message="Where is my order? I ordered a kettle last week and the tracking has not "
        "changed for days. Can you tell me where my parcel is?",
    )
    Ticket.objects.filter(pk=ticket.pk).update(language="es")
    run_pipeline(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "auto_resolved", ticket.decisions.get().signals
    answer = ticket.messages.get(author_kind=AuthorKind.ASSISTANT).body
    assert answer.startswith("Hola, Alice:\n\n")
    assert "Puedes seguir tu pedido" in answer
    assert ShopProfile.load().orders_url in answer


def test_a_language_without_a_template_gets_english_and_a_line_saying_so(alice, taxonomy):
    AnswerTemplate.objects.filter(intent__slug="track_order", language="de").delete()
    ticket = sample_ticket(alice, "de")
    _, templates = intent_policy("track_order")
    answer = respond(
        text="q",
        intent="track_order",
        match=None,
        template=templates,
        context=answer_context(ticket),
        llm=NoLLM(),
        language="de",
    )
    greeting_line, note, body = answer.text.split("\n\n", 2)
    assert greeting_line == "Hallo Alice,"
    assert "Englisch" in note
    assert body.startswith("You can follow your order")


def item(pk: int, language: str, translation: bool = False) -> Match:
    return Match(KnowledgeItem(pk, "q", "a", "track_order", language=language), 0.9)


def test_an_entry_answers_only_tickets_in_its_own_language():
    english, spanish = item(1, "en"), Match(KnowledgeItem(2, "q", "a", "track_order", "es"), 0.8)
    assert usable_match([english], intent="track_order", min_score=0.5, language="es") is None
    found = usable_match([english, spanish], intent="track_order", min_score=0.5, language="es")
    assert found is spanish
    assert usable_match([english], intent="track_order", min_score=0.5, language="en") is english


def test_the_starter_translations_are_reviewed_entries_linked_to_their_source(taxonomy):
    translated = KnowledgeEntry.objects.exclude(language="en")
    if not translated.exists():
        pytest.skip("no starter knowledge translations shipped")
    for entry in translated.select_related("translation_of"):
        assert entry.translation_of is not None and entry.translation_of.language == "en"
        assert entry.status == KnowledgeStatus.ACTIVE
        assert entry.intent_id == entry.translation_of.intent_id


def test_a_pending_translation_does_not_answer(alice, trained_model):
    source = KnowledgeEntry.objects.filter(language="en", intent__slug="track_order").first()
    KnowledgeEntry.objects.filter(language="es").update(status=KnowledgeStatus.PENDING)
    pending = KnowledgeEntry.objects.create(
        question="¿Dónde está mi pedido? No ha llegado todavía",
        answer="RESPUESTA PENDIENTE",
        intent=source.intent,
        language="es",
        translation_of=source,
        status=KnowledgeStatus.PENDING,
    )
    ticket = ticket_create(customer=alice, message=pending.question)
    Ticket.objects.filter(pk=ticket.pk).update(language="es")
    run_pipeline(ticket.pk)
    assert not ticket.messages.filter(body__contains="RESPUESTA PENDIENTE").exists()


# --- The shop's links: an admin setting ------------------------------------------------------


def test_an_admin_edits_the_shops_links_and_answers_use_them(client, admin_user, alice, taxonomy):
    client.login(email=admin_user.email, password=PASSWORD)
    url = reverse("admin:resolution_shopprofile_change", args=[ShopProfile.load().pk])
    listing = client.get(reverse("admin:resolution_shopprofile_changelist"))
    assert listing.status_code == 200 and b"orders_url" in listing.content
    data = {**ShopProfile.load().as_context(), "orders_url": "https://acme.test/my-orders"}
    response = client.post(url, data)
    assert response.status_code == 302
    ticket = sample_ticket(alice, "fr")
    _, templates = intent_policy("track_order")
    answer = respond(
        text="q",
        intent="track_order",
        match=None,
        template=templates,
        context=answer_context(ticket),
        llm=NoLLM(),
        language="fr",
    )
    assert "https://acme.test/my-orders" in answer.text
    assert ShopProfile.objects.count() == 1


def test_a_bad_link_is_a_form_error_not_a_500(client, admin_user):
    client.login(email=admin_user.email, password=PASSWORD)
    url = reverse("admin:resolution_shopprofile_change", args=[ShopProfile.load().pk])
    data = {**ShopProfile.load().as_context(), "orders_url": "not a url"}
    response = client.post(url, data)
    assert response.status_code == 200 and b"Enter a valid URL" in response.content
    assert ShopProfile.load().orders_url.startswith("https://")


@pytest.mark.parametrize("who", ["anonymous", "owner", "agent"])
def test_only_admins_edit_the_shop_profile(client, people, who):
    if people[who]:
        client.login(email=people[who].email, password=PASSWORD)
    url = reverse("admin:resolution_shopprofile_change", args=[ShopProfile.load().pk])
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/login/" in response.url


# --- Links on the page and in e-mails; one greeting --------------------------------------------


def answered(customer, language: str) -> Ticket:
    from tickets.services import ticket_auto_resolve

    ticket = ticket_create(customer=customer, message="Where is my order?")
    Ticket.objects.filter(pk=ticket.pk).update(language=language)
    ticket.refresh_from_db()
    _, templates = intent_policy("track_order")
    answer = respond(
        text="q",
        intent="track_order",
        match=None,
        template=templates,
        context=answer_context(ticket),
        llm=NoLLM(),
        language=language,
    )
    ticket_auto_resolve(
        ticket=ticket,
        answer=answer.text,
        intent="track_order",
        confidence=0.9,
        model_version=None,
    )
    return ticket


def test_the_portal_page_shows_the_shops_links_as_links(client, alice, taxonomy):
    ticket = answered(alice, "es")
    client.login(email=alice.email, password=PASSWORD)
    page = client.get(reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    orders = ShopProfile.load().orders_url
    assert f'<a href="{orders}"' in page


def test_the_answer_email_greets_once_in_the_customers_language(alice, taxonomy):
    ticket = answered(alice, "es")
    message = ticket.messages.get(author_kind=AuthorKind.ASSISTANT)
    email = answer_email(message)
    text = email.body
    html = email.alternatives[0][0]
    orders = ShopProfile.load().orders_url
    assert "Tu consulta tiene respuesta" in email.subject
    assert text.count("Hola") == 1 and "Hello" not in text and "Hi " not in text
    assert orders in text and "<a " not in text
    assert f'<a href="{orders}"' in html
    assert 'lang="es"' in html and html.count("Hola") == 1


# The track_order template as shipped before the shop's links (a desk migrated from then still
# holds it): greeted in the body, sent customers to /orders/ on the desk.
OLD_TRACK_ORDER = (
    "Hi {{ customer_name }},\n\nYou can follow your order step by step:\n\n1. Log in "
    "and go to /orders/.\n2. Open the order to see its status: received, being packed, "
    'shipped or delivered.\n3. Once it has shipped, click "Track parcel" for the '
    "carrier's latest scan and expected delivery date.\n\nYou'll also find the tracking "
    "link in the shipping confirmation e-mail. Tracking information can take up to 24 "
    "hours to appear after the parcel is handed to the carrier.\n\nIf the tracking "
    "hasn't moved for several days, it says delivered but nothing arrived, or the order "
    "is past its expected date, reply to this message with your order number and a "
    "person will pick it up."
)


def test_seeding_again_replaces_the_old_starter_templates_but_not_an_admins(taxonomy):
    from resolution.services.seed import load_taxonomy

    AnswerTemplate.objects.filter(intent__slug="track_order", language="en").update(
        body=OLD_TRACK_ORDER
    )
    AnswerTemplate.objects.filter(intent__slug="cancel_order", language="en").update(
        body="Edited by our admin."
    )
    load_taxonomy()
    track = AnswerTemplate.objects.get(intent__slug="track_order", language="en").body
    assert "{{ shop.orders_url }}" in track and not track.startswith("Hi")
    assert AnswerTemplate.objects.get(intent__slug="cancel_order", language="en").body == (
        "Edited by our admin."
    )
