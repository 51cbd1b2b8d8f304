"""Knowledge suggestions while a customer writes a ticket, and deflection when one answers."""

import re

import pytest
from django.urls import reverse

from resolution.models import Deflection, Intent, KnowledgeEntry, KnowledgeStatus
from resolution.services.deflection import SIGNING_SALT
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DRAFT = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def refund_entry(db):
    return KnowledgeEntry.objects.create(
        question="How long does a refund take to reach my bank account?",
        title="How long does a refund take?",
        answer="Refunds reach your account 5 to 7 working days after we receive the parcel.",
    )


@pytest.fixture
def password_entry(db):
    return KnowledgeEntry.objects.create(
        question="I forgot my password and cannot log in",
        answer="Use 'Forgot your password?' on the log-in page.",
    )


def suggest(client, message, *, subject="", draft=DRAFT):
    return client.get(
        reverse("suggest:list"), {"subject": subject, "message": message, "draft": draft}, **HTMX
    )


def tokens(response) -> list[str]:
    """The signed tokens of the suggestions in a rendered list, in order."""
    return re.findall(r'"token": "([^"]+)"', response.content.decode())


def answered(client, token, *, message="how long does a refund take", htmx=True):
    data = {"token": token, "message": message, "draft": DRAFT}
    return client.post(reverse("suggest:answered"), data, **(HTMX if htmx else {}))


def test_suggestions_show_the_matching_knowledge_answer(
    client, alice, refund_entry, password_entry
):
    client.force_login(alice)
    html = suggest(client, "how long until my refund reaches my bank account").content.decode()
    assert "Does this answer your question?" in html
    assert "5 to 7 working days" in html
    assert html.index("5 to 7 working days") < html.find("Forgot your password") or (
        "Forgot your password" not in html
    )
    assert "Yes, this answered my question" in html


def test_a_few_characters_suggest_nothing(client, alice, refund_entry):
    client.force_login(alice)
    assert suggest(client, "refund").content.decode().strip() == ""


def test_suggestions_are_shown_as_text(client, alice):
    KnowledgeEntry.objects.create(
        question="Where is my parcel today?",
        title="Where is my <b>parcel</b> today?",
        answer="<script>alert(1)</script> Soon.",
    )
    client.force_login(alice)
    html = suggest(client, "where is my parcel today").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Soon." in html
    assert "&lt;b&gt;parcel&lt;/b&gt;" in html


def test_retired_entries_are_never_suggested(client, alice, refund_entry):
    refund_entry.status = KnowledgeStatus.RETIRED
    refund_entry.save()
    client.force_login(alice)
    assert "5 to 7" not in suggest(client, "how long does my refund take").content.decode()


def test_each_suggestion_counts_as_shown_once_per_draft(client, alice, refund_entry):
    client.force_login(alice)
    suggest(client, "how long does a refund take")
    suggest(client, "how long does a refund take to reach my bank")
    assert Deflection.objects.filter(entry=refund_entry, helpful=False).count() == 1
    suggest(client, "how long does a refund take", draft="f" * 32)
    assert Deflection.objects.filter(entry=refund_entry).count() == 2


def test_yes_this_answered_my_question_records_a_helpful_deflection(client, alice, refund_entry):
    client.force_login(alice)
    [token] = tokens(suggest(client, "how long does a refund take"))
    response = answered(client, token)
    deflection = Deflection.objects.get()  # the row recorded when shown, now marked
    assert deflection.helpful
    assert deflection.customer == alice
    assert deflection.query == "how long does a refund take"
    html = response.content.decode()
    assert "Glad that helped!" in html
    assert "No ticket was needed." in html
    assert not Ticket.objects.exists()


def test_yes_without_javascript_returns_to_my_tickets(client, alice, refund_entry):
    client.force_login(alice)
    [token] = tokens(suggest(client, "how long does a refund take"))
    response = client.post(
        reverse("suggest:answered"), {"token": token, "message": "refund?"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal:ticket_list")
    assert "No ticket was needed." in response.content.decode()
    assert Deflection.objects.get().helpful


def test_yes_on_an_entry_retired_meanwhile_says_so_where_the_suggestions_were(
    client, alice, refund_entry
):
    client.force_login(alice)
    [token] = tokens(suggest(client, "how long does a refund take"))
    refund_entry.status = KnowledgeStatus.RETIRED
    refund_entry.save()
    response = answered(client, token)
    assert response["HX-Retarget"] == "#suggestions"
    assert "no longer available" in response.content.decode()
    assert not Deflection.objects.filter(helpful=True).exists()


def test_a_deflection_marks_only_the_customers_own_shown_row(client, alice, charlie, refund_entry):
    client.force_login(charlie)
    suggest(client, "how long does a refund take")
    charlies = Deflection.objects.get()
    client.force_login(alice)
    [token] = tokens(suggest(client, "how long does a refund take"))
    answered(client, token)
    charlies.refresh_from_db()
    assert not charlies.helpful
    assert Deflection.objects.get(customer=alice).helpful


def test_suggestions_need_a_logged_in_customer(client, refund_entry):
    response = client.post(reverse("suggest:answered"), {"entry": refund_entry.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Deflection.objects.exists()


def test_a_fragment_asked_for_after_logging_out_moves_the_whole_page_to_log_in(client):
    response = client.get(
        reverse("suggest:list"),
        {"message": "how long does a refund take"},
        HTTP_HX_CURRENT_URL="http://testserver/tickets/new/",
        **HTMX,
    )
    assert response["HX-Redirect"] == reverse("accounts:login") + "?next=/tickets/new/"
    assert response.content == b""


def test_a_fragment_asked_for_by_an_agent_moves_the_page_to_the_queue(client, agent):
    client.force_login(agent)
    response = suggest(client, "how long does a refund take")
    assert response["HX-Redirect"] == reverse("agent:queue")


def test_unrelated_text_suggests_nothing_from_the_starter_knowledge(client, alice, taxonomy):
    client.force_login(alice)
    html = suggest(client, "the weather is nice today, isn't it").content.decode()
    assert html.strip() == ""


def test_the_starter_knowledge_answers_a_forgotten_password(client, alice, taxonomy):
    client.force_login(alice)
    html = suggest(client, "I forgot my password").content.decode()
    assert "I forgot my password, how do I reset it?" in html
    assert html.count('class="suggestion"') == 1  # the weaker, unrelated ones stay out


# --- Customers see only curated text; "yes" only for what was shown, once -----------------------


def test_a_suggestion_learned_from_a_ticket_never_shows_that_customers_words(
    client, alice, charlie, taxonomy
):
    """Charlie's question (with his details) was learned as an entry; Alice sees the entry's
    public title (the intent's name until a reviewer writes one), never Charlie's message."""
    KnowledgeEntry.objects.create(
        question="Where is order 551234 for Charlie Outsider, 14 Hidden Crescent? My parcel",
        answer="Parcels arrive within 3 working days; track it from your order page.",
        intent=Intent.objects.get(slug="track_order"),
        created_by=None,
    )
    client.force_login(alice)
    html = suggest(client, "where is my order 551234 parcel").content.decode()
    assert "track it from your order page" in html
    assert "Hidden Crescent" not in html and "Charlie" not in html and "551234" not in html
    assert Intent.objects.get(slug="track_order").name in html


def test_entries_cannot_be_read_by_id(client, alice, refund_entry, password_entry):
    """The enumeration attack: POST entry=1..N read every entry's answer and counted it
    helpful. Without a token for a suggestion shown to this customer, nothing is revealed."""
    client.force_login(alice)
    for entry in (refund_entry, password_entry):
        for htmx in (True, False):
            data = {"entry": entry.pk, "message": "x", "draft": DRAFT}
            response = client.post(reverse("suggest:answered"), data, **(HTMX if htmx else {}))
            assert entry.answer not in response.content.decode()
            assert response.status_code == (200 if htmx else 400)
    assert not Deflection.objects.filter(helpful=True).exists()


def test_a_token_counts_once(client, alice, refund_entry):
    client.force_login(alice)
    [token] = tokens(suggest(client, "how long does a refund take"))
    assert "Glad that helped!" in answered(client, token).content.decode()
    again = answered(client, token, htmx=False)
    assert again.status_code == 409
    assert Deflection.objects.filter(helpful=True).count() == 1


def test_another_customers_token_is_refused(client, alice, charlie, refund_entry):
    client.force_login(charlie)
    [token] = tokens(suggest(client, "how long does a refund take"))
    client.force_login(alice)
    response = answered(client, token, htmx=False)
    assert response.status_code == 400
    assert refund_entry.answer not in response.content.decode()
    assert not Deflection.objects.filter(helpful=True).exists()


def test_a_forged_or_expired_token_is_refused(client, alice, refund_entry, settings):
    from django.core import signing

    client.force_login(alice)
    [token] = tokens(suggest(client, "how long does a refund take"))
    shown = Deflection.objects.get()
    forged = signing.dumps({"u": alice.pk, "e": refund_entry.pk, "d": shown.pk}, salt="other")
    assert answered(client, forged, htmx=False).status_code == 400
    assert answered(client, token[:-2] + "xx", htmx=False).status_code == 400
    settings.SUGGESTION_TOKEN_MAX_AGE = -1
    response = answered(client, token, htmx=False)
    assert response.status_code == 400
    assert "out of date" in response.content.decode()
    assert not Deflection.objects.filter(helpful=True).exists()
    signing.loads(token, salt=SIGNING_SALT)  # the token itself was genuine


def test_without_a_draft_suggestions_offer_no_yes(client, alice, refund_entry):
    client.force_login(alice)
    response = suggest(client, "how long does a refund take", draft="")
    assert "5 to 7 working days" in response.content.decode()
    assert tokens(response) == []
    assert not Deflection.objects.exists()
