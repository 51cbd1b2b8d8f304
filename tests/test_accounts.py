import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

import supportdesk.settings as production_settings
from accounts.models import Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_users_log_in_with_their_email(alice):
    assert authenticate(email="alice@example.com", password=PASSWORD) == alice


def test_email_login_ignores_case(alice):
    assert authenticate(email="ALICE@Example.com", password=PASSWORD) == alice


def test_wrong_password_does_not_log_in(alice):
    assert authenticate(email="alice@example.com", password="wrong") is None


def test_emails_are_unique_whatever_their_case(alice):
    with pytest.raises(Exception):  # noqa: B017  (IntegrityError, wrapped differently per DB)
        User.objects.create_user(email="Alice@example.com", password=PASSWORD)


def test_production_settings_hash_passwords_with_bcrypt_first():
    assert production_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"
    )


def test_bcrypt_hasher_verifies_a_password(settings):
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    user = User.objects.create_user(email="b@example.com", password="s3cret-enough-pass")
    assert user.password.startswith("bcrypt_sha256$")
    assert user.check_password("s3cret-enough-pass")


def test_new_users_are_customers_by_default():
    assert User.objects.create_user(email="new@example.com", password=PASSWORD).role == "customer"


def test_createsuperuser_works_with_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password-1")
    call_command("createsuperuser", "--noinput", "--email", "root@example.com", verbosity=0)
    root = User.objects.get(email="root@example.com")
    assert root.role == Role.ADMIN
    assert root.is_superuser and root.is_staff


def test_only_admins_are_staff(alice, agent, admin_user):
    assert not alice.is_staff
    assert not agent.is_staff
    assert admin_user.is_staff


def test_a_deactivated_admin_loses_admin_rights(admin_user):
    admin_user.is_active = False
    assert not admin_user.is_staff
    assert not admin_user.has_perm("accounts.change_user")
