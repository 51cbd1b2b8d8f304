"""Named users for every role, plus an outsider, so authorization is tested by default.

Alice and Charlie are customers (Alice owns the tickets, Charlie is the outsider),
Agnes and Arthur are agents, Ada is the admin.
"""

import pytest

from accounts.models import Role, User

PASSWORD = "correct-horse-battery-staple"


def make_user(email: str, role: str, **extra) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, role=role, **extra)


@pytest.fixture
def alice(db) -> User:
    return make_user("alice@example.com", Role.CUSTOMER, full_name="Alice Liddell")


@pytest.fixture
def charlie(db) -> User:
    return make_user("charlie@example.com", Role.CUSTOMER, full_name="Charlie Outsider")


@pytest.fixture
def agent(db) -> User:
    return make_user("agnes@example.com", Role.AGENT, full_name="Agnes Agent")


@pytest.fixture
def agent2(db) -> User:
    return make_user("arthur@example.com", Role.AGENT, full_name="Arthur Agent")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("ada@example.com", Role.ADMIN, full_name="Ada Admin")
