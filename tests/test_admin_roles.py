import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

USER_ADMIN_PAGES = ["admin:accounts_user_changelist", "admin:accounts_user_add"]


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


@pytest.mark.parametrize("page", USER_ADMIN_PAGES)
def test_customers_cannot_reach_user_management(client, alice, page):
    login(client, alice)
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("page", USER_ADMIN_PAGES)
def test_agents_cannot_reach_user_management(client, agent, page):
    login(client, agent)
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_admins_manage_users(client, admin_user, alice):
    login(client, admin_user)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    page = client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert page.status_code == 200


def test_admins_can_change_a_users_role(client, admin_user, alice):
    login(client, admin_user)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    response = client.post(
        url,
        {
            "email": alice.email,
            "full_name": alice.full_name,
            "role": "agent",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert alice.role == "agent"


@pytest.mark.parametrize(
    "page",
    [
        "admin:tickets_ticket_changelist",
        "admin:feedback_feedback_changelist",
        "admin:resolution_intent_changelist",
        "admin:resolution_answertemplate_changelist",
        "admin:resolution_knowledgeentry_changelist",
        "admin:resolution_trainingexample_changelist",
        "admin:resolution_modelversion_changelist",
        "admin:resolution_decision_changelist",
    ],
)
def test_admins_see_every_model_in_admin(client, admin_user, page):
    login(client, admin_user)
    assert client.get(reverse(page)).status_code == 200


def test_the_decision_audit_is_read_only(client, admin_user):
    login(client, admin_user)
    assert client.get(reverse("admin:resolution_decision_add")).status_code == 403
