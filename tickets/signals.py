"""Signals tickets sends for the apps above it (resolution listens; tickets never imports it)."""

from django.dispatch import Signal

# Sent after an agent resolved a ticket, once the transaction committed.
# kwargs: ticket, agent, answer (Message | None), corrected_intent (str, "" if unchanged),
#         add_to_knowledge (bool)
ticket_resolved = Signal()
