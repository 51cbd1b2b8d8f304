"""Agents' notifications by e-mail, through a real SMTP server: assigned to them, or their
customer replied. The e-mail is recorded (OutboundEmail) but never joins the customer's thread."""

from channels.models import OutboundEmail
from tests.api_helpers import escalated_ticket
from tickets.services import ticket_assign, ticket_customer_reply


def test_an_assignment_and_a_customer_reply_are_emailed_to_the_agent(
    alice, agent, agent2, smtp_server, django_capture_on_commit_callbacks
):
    ticket = escalated_ticket(alice)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_assign(ticket=ticket, actor=agent2, agent=agent)
    (assigned,) = smtp_server.wait_for(1)
    assert assigned["To"] == "agnes@example.com"
    assert assigned["Subject"] == f"[SupportDesk #{ticket.pk}] Assigned to you: Where is my parcel?"
    text = assigned.get_body(preferencelist=("plain",)).get_content()
    assert f"/agent/tickets/{ticket.pk}/" in text

    with django_capture_on_commit_callbacks(execute=True):
        ticket_customer_reply(ticket=ticket, customer=alice, body="Any news? My secret is 1234")
    replied = smtp_server.wait_for(2)[1]
    assert replied["To"] == "agnes@example.com"
    assert "The customer replied" in replied["Subject"]
    # The conversation stays in the desk: the e-mail links to it.
    assert "1234" not in replied.get_body(preferencelist=("plain",)).get_content()
    notices = OutboundEmail.objects.filter(kind="notice", ticket=ticket)
    assert notices.count() == 2 and all(n.sent_at for n in notices)


def test_assigning_yourself_sends_no_email(
    alice, agent, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_assign(ticket=escalated_ticket(alice), actor=agent, agent=agent)
    assert not OutboundEmail.objects.filter(kind="notice").exists()
    assert smtp_server.messages == []
