"""Signals tickets sends for the apps above it (resolution and channels listen; tickets never
imports them). Every one is sent by tickets.services once the transaction has committed, so a
receiver sees the rows it is told about and a rolled-back change announces nothing, except
ticket_arriving, sent before a new ticket is stored.
"""

from django.dispatch import Signal

# Sent after an agent resolved a ticket, once the transaction committed.
# kwargs: ticket, agent, answer (Message | None), corrected_intent (str, "" if unchanged),
#         add_to_knowledge (bool)
ticket_resolved = Signal()

# A new text ticket is about to be stored, and its caller holds no transaction: the one signal
# sent before a commit, outside any transaction. kwargs: ticket (not saved yet, no pk). A
# receiver may return a callable: each is called with the ticket inside the transaction that
# stores it, after its first message (resolution decides an in-process ticket this way).
ticket_arriving = Signal()

# A new ticket was stored (not sent again for an idempotent resubmission). kwargs: ticket.
ticket_submitted = Signal()

# A message was added to a ticket: the customer's first text and replies, automatic answers,
# agents' replies and internal notes (check `message.internal`). kwargs: ticket, message,
# reopened (bool: the message reopened an answered ticket).
message_added = Signal()

# A ticket's status changed. kwargs: ticket, old_status, new_status, reason (the escalation
# reason, or ""), actor (User | None: None when the AI changed it).
ticket_status_changed = Signal()

# The SLA sweep found a target about to be missed ("warning") or missed ("breach").
# kwargs: ticket, target ("first_response" | "resolution"), kind ("warning" | "breach"), due.
sla_alert = Signal()

# An admin's rule with a "webhook" action fired. kwargs: ticket, rule_id, rule_name, event
# (the action's label, "" when none).
rule_webhook = Signal()
# An agent was notified (a ticket assigned to them, a customer's reply on their ticket), after
# commit. kwargs: notification (tickets.models.Notification). channels e-mails it.
agent_notified = Signal()
