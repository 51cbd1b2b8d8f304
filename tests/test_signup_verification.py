"""Sign-up that reveals nothing and costs something: e-mail verification, throttles per client
and per address, and password-reset mails that cannot be flooded (issue 15 #3 and #6)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401
from tests.conftest import PASSWORD
from tickets.models import Ticket


def sign_up(email: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(
        reverse("accounts:signup"), {"email": email, "password": PASSWORD}
    )


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


@pytest.mark.django_db
def test_a_new_customer_confirms_the_address_then_opens_tickets(client):
    sign_up("new@example.com")
    user = User.objects.get(email="new@example.com")
    client.force_login(user)
    # Logged in but unconfirmed: the page says why, and a ticket is refused with a form error.
    page = client.get(reverse("portal:ticket_new")).content.decode()
    assert "Please confirm your e-mail address before opening a ticket" in page
    refused = client.post(reverse("portal:ticket_new"), {"message": "Where is my order?"})
    assert "Please confirm your e-mail address first" in refused.content.decode()
    error = error_of(api(user).post("/api/tickets", {"message": "Where is my order?"}), 403)
    assert error["code"] == "email_unverified"
    assert not Ticket.objects.exists()

    assert client.get(link_in(mail.outbox[0]))["Location"] == reverse("portal:home")
    user.refresh_from_db()
    assert user.is_email_verified
    assert client.post(reverse("portal:ticket_new"), {"message": "Order?"}).status_code == 302
    # The link worked once.
    assert client.get(link_in(mail.outbox[0])).status_code == 400


@pytest.mark.django_db
def test_a_forged_link_is_refused(client):
    sign_up("new@example.com")
    assert client.get(reverse("accounts:verify", args=["MQ", "nope-nope"])).status_code == 400
    assert client.get(reverse("accounts:verify", args=["%%%", "x"])).status_code == 400
    assert not User.objects.get(email="new@example.com").is_email_verified


@pytest.mark.django_db
def test_the_link_can_be_sent_again(client):
    sign_up("new@example.com")
    client.force_login(User.objects.get(email="new@example.com"))
    assert client.post(reverse("accounts:verify_resend")).status_code == 302
    assert len(mail.outbox) == 2
    assert client.get(link_in(mail.outbox[1]))["Location"] == reverse("portal:home")


def test_existing_accounts_and_seeded_users_count_as_confirmed(alice, agent):
    assert alice.is_email_verified and agent.is_email_verified


@pytest.mark.django_db
def test_sign_up_is_limited_per_client(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"signup_client": "2/hour"},
    }
    for n in range(2):
        assert sign_up(f"bot{n}@example.com", "203.0.113.5").status_code == 302
    refused = sign_up("bot9@example.com", "203.0.113.5")
    assert refused.status_code == 200
    assert "Too many requests from your network" in refused.content.decode()
    assert not User.objects.filter(email="bot9@example.com").exists()
    assert sign_up("someone@example.com", "198.51.100.5").status_code == 302


def test_sign_up_cannot_flood_an_owners_inbox(alice, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"signup_email": "2/hour"},
    }
    for n in range(6):
        assert sign_up(alice.email, f"203.0.113.{n}")["Location"] == reverse("accounts:signup_sent")
    assert len(mail.outbox) == 2


def test_password_reset_mails_are_limited_per_address(alice, settings):
    # Issue 15 #6: 25 requests used to send 25 e-mails.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"reset_email": "3/hour"},
    }
    for n in range(25):
        response = Client(REMOTE_ADDR=f"203.0.113.{n}").post(
            reverse("accounts:password_reset"), {"email": alice.email}
        )
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 3


def test_password_reset_is_limited_per_client(alice, charlie, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"reset_client": "2/hour"},
    }
    client = Client(REMOTE_ADDR="203.0.113.50")
    for email in ("a@example.com", "b@example.com"):
        assert client.post(reverse("accounts:password_reset"), {"email": email}).status_code == 302
    refused = client.post(reverse("accounts:password_reset"), {"email": charlie.email})
    assert "Too many requests from your network" in refused.content.decode()
    assert mail.outbox == []


def test_the_default_rates_limit_sign_up_and_reset():
    from django.conf import settings

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    for scope in ("signup_client", "signup_email", "reset_client", "reset_email"):
        assert rates[scope], scope
