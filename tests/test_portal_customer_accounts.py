"""Customer accounts in the portal: sign up, log in, log out, reset a forgotten password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-long-passphrase"


def test_signup_page_has_labelled_fields(client):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    for field in ("email", "full_name", "password"):
        assert f'for="id_{field}"' in response.content.decode()


def test_signup_creates_an_unconfirmed_customer_and_mails_a_link(client):
    response = client.post(
        reverse("accounts:signup"),
        {"email": "New.Person@Example.com", "full_name": "New Person", "password": PASSWORD},
    )
    assert response["Location"] == reverse("accounts:signup_sent")
    user = User.objects.get(email="new.person@example.com")
    assert user.role == Role.CUSTOMER
    assert not user.is_email_verified
    assert [m.to for m in mail.outbox] == [["new.person@example.com"]]


def test_signup_never_makes_an_agent_whatever_is_posted(client):
    client.post(
        reverse("accounts:signup"),
        {"email": "sneaky@example.com", "password": PASSWORD, "role": "admin"},
    )
    assert User.objects.get(email="sneaky@example.com").role == Role.CUSTOMER


def test_signup_with_a_taken_email_looks_the_same_and_mails_the_owner(client, alice):
    taken = client.post(
        reverse("accounts:signup"), {"email": "ALICE@example.com", "password": PASSWORD}
    )
    new = client.post(
        reverse("accounts:signup"), {"email": "bob@example.com", "password": PASSWORD}
    )
    assert taken["Location"] == new["Location"] == reverse("accounts:signup_sent")
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    to_alice = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(to_alice) == 1 and "already have one" in to_alice[0].body


def test_signup_rejects_a_weak_password_beside_the_field(client):
    response = client.post(
        reverse("accounts:signup"), {"email": "weak@example.com", "password": "12345678"}
    )
    html = response.content.decode()
    assert 'id="id_password_error"' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(email="weak@example.com").exists()


def test_login_with_email_and_password_lands_on_my_tickets(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "Alice@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:ticket_list")).status_code == 200


def test_login_with_a_wrong_password_says_so(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": alice.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("portal:ticket_list")).status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(client, alice):
    response = client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_used_reset_link_is_refused(client, alice):
    client.post(reverse("accounts:password_reset"), {"email": alice.email})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    again = client.get(link, follow=True)
    assert "no longer valid" in again.content.decode()
