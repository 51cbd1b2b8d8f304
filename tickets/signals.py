"""Signals tickets sends for the apps above it (resolution listens; tickets never imports it)."""

from django.dispatch import Signal

# Sent after an agent resolved a ticket, once the transaction committed.
# kwargs: ticket, agent, answer (Message | None), corrected_intent (str, "" if unchanged),
#         add_to_knowledge (bool)
ticket_resolved = Signal()

# Sent after an agent or a customer added a message to a ticket, once the transaction committed.
# kwargs: ticket, message (Message), reopened (bool: the message reopened an answered ticket)
message_added = Signal()
