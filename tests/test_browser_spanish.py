"""A Spanish customer in a real browser (Chromium via Playwright): signs up with a Spanish
browser, reads the portal in Spanish, writes a ticket in Spanish and gets a Spanish answer on
the page and by e-mail, with the shop's links clickable.

Screenshots land in test-artifacts/screenshots/spanish-*.png.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from resolution.models import ModelVersion, ShopProfile
from tickets.models import Ticket, TicketStatus

from .browser import browser, screenshot  # noqa: F401
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = (
    "Hola, ¿dónde está mi pedido? Lo pedí hace una semana y el seguimiento no ha cambiado "
    "desde hace días. ¿Me podéis decir cuándo llega?"
)


@pytest.fixture(scope="module")
def multilingual_model_bytes() -> bytes:
    """The starter model trained on the shipped examples in every language."""
    from resolution.engine.classifier import IntentClassifier
    from resolution.starter_data import starter_examples

    rows = starter_examples()
    return IntentClassifier.train([t for t, _ in rows], [label for _, label in rows]).to_bytes()


@pytest.fixture
def spanish_tab(browser, live_server):  # noqa: F811
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="es-ES"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_spanish_customer_is_answered_in_spanish(spanish_tab, multilingual_model_bytes):
    from resolution.services.seed import load_starter_knowledge, load_taxonomy

    load_taxonomy()
    load_starter_knowledge()
    ModelVersion.objects.create(version=1, artifact=multilingual_model_bytes, is_active=True)
    tab = spanish_tab

    tab.goto("/")
    expect(tab.get_by_role("heading", name="Inicia sesión en SupportDesk")).to_be_visible()
    tab.get_by_role("link", name="Crear una cuenta").click()
    tab.get_by_label("Correo electrónico").fill("lucia@example.com")
    tab.get_by_label("Tu nombre").fill("Lucía")
    tab.get_by_label("Contraseña").fill(PASSWORD)
    screenshot(tab, "spanish-signup")
    tab.get_by_role("button", name="Crear cuenta").click()
    expect(tab.get_by_role("heading", name="Revisa tu correo")).to_be_visible()
    assert User.objects.get(email="lucia@example.com").language == "es"
    (welcome,) = mail.outbox
    assert welcome.subject == "Confirma tu correo electrónico para SupportDesk"
    link = re.search(r"https?://\S+/accounts/verify/\S+", welcome.body).group(0)
    tab.goto(urlsplit(link).path)

    tab.goto("/accounts/login/")
    tab.get_by_label("Correo electrónico").fill("lucia@example.com")
    tab.get_by_label("Contraseña").fill(PASSWORD)
    tab.get_by_role("button", name="Iniciar sesión").click()
    expect(tab.get_by_role("heading", name="Mis consultas")).to_be_visible()
    expect(tab.get_by_text("Aún no tienes consultas")).to_be_visible()

    tab.get_by_role("link", name="Nueva consulta", exact=True).first.click()
    tab.get_by_label("Asunto").fill("Mi pedido")
    tab.get_by_label("¿En qué podemos ayudarte?").fill(QUESTION)
    tab.get_by_role("button", name="Enviar consulta").click()

    ticket = Ticket.objects.get(customer__email="lucia@example.com")
    assert ticket.language == "es"
    expect(tab.get_by_text("Respondida automáticamente.")).to_be_visible()
    assert ticket.__class__.objects.get(pk=ticket.pk).status == TicketStatus.AUTO_RESOLVED
    answer = tab.locator(".message--assistant .message__body")
    expect(answer).to_contain_text("Hola, Lucía:")
    # From the Spanish knowledge base or the Spanish template: in Spanish either way.
    expect(answer).to_contain_text(re.compile(r"Puedes (seguir|ver dónde está) tu pedido"))
    orders = ShopProfile.load().orders_url
    expect(answer.locator(f'a[href="{orders}"]')).to_be_visible()
    expect(tab.get_by_text("Respuesta automática")).to_be_visible()
    screenshot(tab, "spanish-answer")

    answer_mail = next(m for m in mail.outbox if "#" in m.subject and m is not welcome)
    assert "Tu consulta tiene respuesta" in answer_mail.subject
    assert answer_mail.body.count("Hola, Lucía:") == 1
    assert re.search(r"Puedes (seguir|ver dónde está) tu pedido", answer_mail.body)
    assert orders in answer_mail.body
    html = answer_mail.alternatives[0][0]
    assert f'<a href="{orders}"' in html and 'lang="es"' in html
