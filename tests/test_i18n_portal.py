"""The customer's pages in their language: the browser's choice, the switcher's (Django's
set_language, kept on the account), the account's own at log-in; e-mails in it; dates and
numbers localised."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

LOGIN_TITLES = {
    "en": "Log in to SupportDesk",
    "es": "Inicia sesión en SupportDesk",
    "de": "Bei SupportDesk anmelden",
    "fr": "Connexion à SupportDesk",
    "pt": "Iniciar sessão no SupportDesk",
    "it": "Accedi a SupportDesk",
    "nl": "Inloggen bij SupportDesk",
}


@pytest.mark.parametrize("language", list(LOGIN_TITLES))
def test_the_browsers_language_is_used(client, language):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert LOGIN_TITLES[language] in page
    assert f'<html lang="{language}">' in page


def test_an_unserved_language_falls_back_to_english(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert LOGIN_TITLES["en"] in page


def test_the_switcher_sets_the_language_for_a_visitor(client):
    response = client.post(
        reverse("accounts:language"), {"language": "es", "next": reverse("accounts:login")}
    )
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert client.cookies["django_language"].value == "es"
    assert LOGIN_TITLES["es"] in client.get(reverse("accounts:login")).content.decode()


def test_the_switcher_remembers_the_choice_on_the_account(client, alice):
    client.login(email=alice.email, password=PASSWORD)
    client.post(reverse("accounts:language"), {"language": "de", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "de"


def test_the_accounts_language_applies_at_log_in_on_any_device(client, alice):
    User.objects.filter(pk=alice.pk).update(language="fr")
    client.login(email=alice.email, password=PASSWORD)
    page = client.get(reverse("portal:ticket_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mes demandes" in page


def test_a_bad_language_or_next_is_refused_quietly(client, alice):
    client.login(email=alice.email, password=PASSWORD)
    response = client.post(
        reverse("accounts:language"), {"language": "xx", "next": "https://evil.test/"}
    )
    assert response.status_code == 302 and not response.url.startswith("https://evil.test")
    alice.refresh_from_db()
    assert alice.language == ""


def test_the_switcher_takes_only_posts(client):
    assert client.get(reverse("accounts:language")).status_code == 405


def test_every_page_offers_the_switcher_with_every_language(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    assert f'action="{reverse("accounts:language")}"' in page
    for code in LOGIN_TITLES:
        assert f'<option value="{code}"' in page


def test_signing_up_in_spanish_keeps_the_language_and_mails_in_it(client):
    client.post(
        reverse("accounts:signup"),
        {"email": "ana@example.com", "full_name": "Ana", "password": "una-clave-larga-9"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert User.objects.get(email="ana@example.com").language == "es"
    (message,) = mail.outbox
    assert message.subject == "Confirma tu correo electrónico para SupportDesk"
    assert "Te damos la bienvenida a SupportDesk" in message.body


def test_form_errors_are_in_the_customers_language(client):
    response = client.post(
        reverse("accounts:login"),
        {"username": "nobody@example.com", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    assert "gehören zu keinem Konto" in response.content.decode()


def test_dates_are_localised(client, alice):
    User.objects.filter(pk=alice.pk).update(language="de")
    ticket = ticket_create(customer=alice, message="Wo ist meine Bestellung?")
    client.login(email=alice.email, password=PASSWORD)
    page = client.get(reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    months = (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    )
    assert any(f"{month} {ticket.created_at.year}" in page for month in months)
    assert "Anfrage Nr." in page and "Gestellt" in page


def test_the_services_refusals_are_in_the_customers_language(client, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    User.objects.filter(pk=alice.pk).update(language="es")
    client.login(email=alice.email, password=PASSWORD)
    response = client.post(
        reverse("portal:ticket_new"),
        {
            "subject": "Factura",
            "message": "Adjunto la factura",
            "attachments": [
                SimpleUploadedFile(
                    "factura.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 64, "application/pdf"
                )
            ],
        },
    )
    assert response.status_code == 200
    assert "factura.pdf: no se aceptan archivos de tipo" in response.content.decode()
