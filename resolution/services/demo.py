"""A demo desk for the embedded default: one user per role, tickets in every status, and a
month of history behind them (demo_history.py)."""

from django.db import transaction

from accounts.models import Role, User
from resolution.services.demo_history import load_demo_history
from resolution.services.pipeline import run_pipeline
from tickets.models import AuthorKind, Message, Ticket
from tickets.services import ticket_agent_reply, ticket_create

DEMO_PASSWORDS = {
    "customer@example.com": "demo-customer-pass",
    "agent@example.com": "demo-agent-pass",
    "admin@example.com": "demo-admin-pass",
}
DEMO_ROLES = {
    "customer@example.com": (Role.CUSTOMER, "Casey Customer"),
    "agent@example.com": (Role.AGENT, "Avery Agent"),
    "admin@example.com": (Role.ADMIN, "Alex Admin"),
}
DEMO_TICKETS = [
    (
        "Where is my parcel?",
        "Hi, I ordered a lamp last week (order 58213) and it still hasn't "
        "arrived. Can you tell me where it is?",
    ),
    (
        "Forgot password",
        "I forgot my password and the login page won't let me in. How do I reset it?",
    ),
    (
        "Invoice",
        "Could you send me a copy of the invoice for my last order? I need it for my taxes.",
    ),
    (
        "Very unhappy",
        "This is the third time my delivery was late and nobody answers. I want to "
        "make a formal complaint.",
    ),
    ("", "I want to speak to a real person please, not a bot."),
    (
        "Payment declined twice",
        "My card was charged twice for order 77120 but the site says the "
        "payment failed. What is going on?",
    ),
]


def demo_users() -> dict[str, User]:
    users = {}
    for email, (role, name) in DEMO_ROLES.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORDS[email], role=role, full_name=name
            )
        users[role] = user
    return users


def load_demo_desk() -> int:
    """Create the demo users and, once, the demo tickets. Returns how many tickets were made."""
    users = demo_users()
    customer, agent = users[Role.CUSTOMER], users[Role.AGENT]
    if Ticket.objects.filter(customer=customer).exists():
        return 0
    tickets = [ticket_create(customer=customer, subject=s, message=m) for s, m in DEMO_TICKETS]
    # Decided here rather than left to the signal's on_commit: the command may run inside an
    # outer transaction (tests), and run_pipeline is idempotent anyway.
    for ticket in tickets:
        run_pipeline(ticket.pk)
        ticket.refresh_from_db()
    # One escalated ticket answered and resolved by the agent, as a finished example.
    escalated = [t for t in tickets if t.status == "escalated"]
    if escalated:
        ticket_agent_reply(
            ticket=escalated[-1],
            agent=agent,
            body="Thanks for your patience — I've looked into this and sorted it out for you. "
            "Let me know if anything else comes up.",
            resolve=True,
        )
    # One ticket stored by a bulk path (as imports store them), which skips the signal: decided
    # here like an import's, so no demo ticket stays "Open" for ever (issue 18: without a
    # worker's sweep it did, under "this usually takes a few seconds").
    text = "I moved last week. Can I change the delivery address on order 66410?"
    with transaction.atomic():
        (imported,) = Ticket.objects.bulk_create(
            [Ticket(customer=customer, subject="Change my address", message=text)]
        )
        Message.objects.create(
            ticket=imported, author_kind=AuthorKind.CUSTOMER, author=customer, body=text
        )
    run_pipeline(imported.pk)
    # A month of history behind them (resolution/services/demo_history.py).
    history = load_demo_history(agent=agent)
    return len(tickets) + 1 + history
