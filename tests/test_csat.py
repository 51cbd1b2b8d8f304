"""The satisfaction survey (CSAT): an agent resolves, the customer gets a signed link by e-mail
(through a real SMTP server) and on the ticket's page, rates 1-5 without logging in, may change
it for a while; a tampered or expired link is a clear page, never a 500."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from common.errors import Conflict, InvalidInput
from feedback.csat import survey_answer, survey_token
from feedback.models import Feedback, SatisfactionRating
from tests.api_helpers import escalated_ticket
from tests.conftest import PASSWORD
from tickets.models import Team
from tickets.services import ticket_agent_reply, ticket_assign, ticket_customer_reply


def resolve(ticket, agent, commit):
    with commit(execute=True):
        ticket_agent_reply(ticket=ticket, agent=agent, body="Refund sent.", resolve=True)
    ticket.refresh_from_db()
    return ticket


def survey_url(ticket, score: int | None = None) -> str:
    url = f"/feedback/survey/{survey_token(ticket)}/"
    return url + (f"?score={score}" if score else "")


def test_resolving_emails_the_customer_a_signed_link_per_score(
    alice, agent, smtp_server, django_capture_on_commit_callbacks
):
    resolve(escalated_ticket(alice), agent, django_capture_on_commit_callbacks)
    emails = smtp_server.wait_for(2)  # the agent's answer, then the survey
    survey = next(e for e in emails if "How did we do?" in e["Subject"])
    assert survey["To"] == "alice@example.com"
    text = survey.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"http\S+/feedback/survey/(\S+)/\?score=(\d)", text)
    assert sorted(score for _, score in links) == ["1", "2", "3", "4", "5"]
    page = Client().get(f"/feedback/survey/{links[0][0]}/?score=4")  # anonymous
    assert page.status_code == 200
    assert re.search(rb'value="4"[^>]*checked', page.content)
    assert not SatisfactionRating.objects.exists()  # opening the link records nothing


def test_an_anonymous_click_records_one_rating_with_agent_team_and_intent(alice, agent):
    team = Team.objects.create(name="Billing")
    team.members.add(agent)
    ticket = escalated_ticket(alice)
    ticket_assign(ticket=ticket, actor=agent, agent=agent, team=team)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
    response = Client().post(survey_url(ticket), {"score": "5", "comment": "Quick, thanks"})
    assert response.status_code == 200 and b"Thank you" in response.content
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.agent, rating.team, rating.intent) == (
        5,
        agent,
        team,
        "get_refund",
    )
    assert rating.comment == "Quick, thanks"
    assert not Feedback.objects.exists()  # the AI answers' ratings stay apart

    Client().post(survey_url(ticket), {"score": "2"})  # changed within the window
    rating.refresh_from_db()
    assert (rating.score, SatisfactionRating.objects.count()) == (2, 1)


def test_the_answer_cannot_be_changed_after_the_window(alice, agent, settings):
    ticket = escalated_ticket(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
    rating = survey_answer(ticket=ticket, score=4)
    SatisfactionRating.objects.filter(pk=rating.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.CSAT_CHANGE_HOURS + 1)
    )
    with pytest.raises(Conflict):
        survey_answer(ticket=ticket, score=1)
    page = Client().get(survey_url(ticket))
    assert b"too late to change it" in page.content
    assert Client().post(survey_url(ticket), {"score": "1"}).status_code == 200
    rating.refresh_from_db()
    assert rating.score == 4


@pytest.mark.parametrize("score", ["0", "6", "", "five", "4.5"])
def test_a_bad_score_is_a_form_error_not_a_500(alice, agent, score):
    ticket = escalated_ticket(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
    response = Client().post(survey_url(ticket), {"score": score})
    assert response.status_code == 400
    assert b"1 to 5" in response.content or b"valid choice" in response.content
    assert not SatisfactionRating.objects.exists()
    with pytest.raises(InvalidInput):
        survey_answer(ticket=ticket, score=9)


def test_a_tampered_or_expired_link_gets_a_clear_page(alice, agent, settings):
    ticket = escalated_ticket(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
    token = survey_token(ticket)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "nonsense", signing.dumps({"t": ticket.pk}, salt="another.salt")):
        response = Client().post(f"/feedback/survey/{bad}/", {"score": "5"})
        assert response.status_code == 400
        assert b"not valid" in response.content
    settings.CSAT_LINK_DAYS = -1  # every link is past its age
    response = Client().get(f"/feedback/survey/{token}/")
    assert response.status_code == 400 and b"expired" in response.content
    assert not SatisfactionRating.objects.exists()


def test_a_reopened_ticket_waits_and_gets_no_survey_email(
    alice, agent, smtp_server, django_capture_on_commit_callbacks
):
    ticket = escalated_ticket(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
    ticket_customer_reply(ticket=ticket, customer=alice, body="Not fixed.")
    with pytest.raises(Conflict):
        survey_answer(ticket=ticket, score=5)
    from channels.services.email_survey import email_send_survey

    assert email_send_survey(ticket_id=ticket.pk) is False


def test_the_customers_ticket_page_links_to_the_survey(alice, agent, client):
    ticket = escalated_ticket(alice)
    client.login(email=alice.email, password=PASSWORD)
    page = client.get(f"/tickets/{ticket.pk}/")
    assert b"survey-link" not in page.content
    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
    page = client.get(f"/tickets/{ticket.pk}/")
    assert survey_url(ticket).encode() in page.content


def test_csat_per_agent_team_and_intent_on_the_metrics_api_and_page(
    alice, agent, agent2, admin_user, client
):
    from tests.api_helpers import api

    team = Team.objects.create(name="Billing")
    team.members.add(agent)
    scores = [(agent, team, 5), (agent, team, 4), (agent2, None, 2)]
    for who, group, score in scores:
        ticket = escalated_ticket(alice)
        if group:
            ticket_assign(ticket=ticket, actor=who, agent=who, team=group)
        ticket_agent_reply(ticket=ticket, agent=who, body="Done.", resolve=True)
        survey_answer(ticket=ticket, score=score)
    csat = api(admin_user).get("/api/admin/metrics").json()["csat"]
    assert (csat["count"], csat["satisfied"], csat["csat"]) == (3, 2, 0.6667)
    agents = {row["name"]: (row["count"], row["csat"]) for row in csat["by_agent"]}
    assert agents == {"Agnes Agent": (2, 1.0), "Arthur Agent": (1, 0.0)}
    teams = {row["name"]: row["average_score"] for row in csat["by_team"]}
    assert teams == {"Billing": 4.5, "(no team)": 2.0}
    assert [(row["intent"], row["count"]) for row in csat["by_intent"]] == [("get_refund", 3)]
    assert api(agent).get("/api/admin/metrics").status_code == 403

    client.login(email=admin_user.email, password=PASSWORD)
    page = client.get("/ai/metrics/").content.decode()
    assert 'id="csat"' in page and "Agnes Agent" in page and "Billing" in page


def test_a_survey_comment_is_exported_and_erased_with_the_customers_data(alice, agent):
    from accounts.privacy import user_erase_data, user_export_data

    ticket = escalated_ticket(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Done.", resolve=True)
    survey_answer(ticket=ticket, score=2, comment="Call me on 555-0100")
    exported = user_export_data(user=alice)
    assert exported["satisfaction_surveys"][0]["comment"] == "Call me on 555-0100"
    user_erase_data(user=alice)
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment) == (2, "")


def test_a_spanish_ticket_gets_its_survey_email_and_page_in_spanish(alice, agent):
    from channels.services.email_survey import survey_email

    ticket = escalated_ticket(alice)
    ticket.language = "es"
    ticket.save(update_fields=["language"])
    ticket_agent_reply(ticket=ticket, agent=agent, body="Hecho.", resolve=True)

    email = survey_email(ticket)
    assert "¿Qué tal lo hicimos?" in email.subject and "How did we do" not in email.subject
    text = email.body
    assert f"Tu consulta n.º {ticket.pk} está resuelta." in text
    assert "5 – Muy buena:" in text and "¡Gracias!" in text
    assert "resolved" not in text and "Thank you" not in text
    html = email.alternatives[0][0]
    assert '<html lang="es">' in html and "1 – Muy mala</a>" in html

    # Opened on an English browser: the page follows the ticket's language, not the browser.
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(survey_url(ticket, 5)).content.decode()
    assert "¿Qué tal lo hicimos?" in page and "¿Cómo valoras la ayuda que recibiste?" in page
    assert "Enviar" in page and "How did we do" not in page
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(survey_url(ticket), {})
    assert (
        response.status_code == 400
        and "Elige una valoración de 1 a 5." in response.content.decode()
    )
    done = Client().post(survey_url(ticket), {"score": "4"}).content.decode()
    assert "¡Gracias! Tenemos tu valoración (4 de 5)" in done

    # A language the visitor picked with the switcher still wins.
    visitor = Client()
    visitor.cookies["django_language"] = "de"
    assert "Wie waren wir?" in visitor.get(survey_url(ticket)).content.decode()


def test_the_survey_emails_language_follows_the_customers_choice_without_a_detected_one(
    alice, agent
):
    from channels.services.email_survey import survey_email

    alice.language = "fr"
    alice.save(update_fields=["language"])
    ticket = escalated_ticket(alice)
    ticket.language = ""
    ticket.save(update_fields=["language"])
    ticket_agent_reply(ticket=ticket, agent=agent, body="Fait.", resolve=True)
    assert "Comment nous en sommes-nous sortis ?" in survey_email(ticket).subject


def test_a_spanish_customer_sees_the_survey_link_and_a_slow_ticket_in_spanish(alice, agent, client):
    from accounts.models import User
    from tests.api_helpers import open_ticket
    from tickets.models import Ticket, TicketStatus

    User.objects.filter(pk=alice.pk).update(language="es")
    ticket = escalated_ticket(alice)
    ticket_agent_reply(ticket=ticket, agent=agent, body="Hecho.", resolve=True)
    client.login(email=alice.email, password=PASSWORD)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Valora nuestra ayuda del 1 al 5" in page and "Rate our help" not in page

    slow = open_ticket(alice, status=TicketStatus.OPEN)
    Ticket.objects.filter(pk=slow.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    page = client.get(f"/tickets/{slow.pk}/").content.decode()
    assert "Esto está tardando más de lo habitual." in page
    assert "Tu consulta está guardada y esperando en nuestra cola" in page
