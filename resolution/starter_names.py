"""The starter intents' names (resolution/data/intents.json), marked for the translation
catalogs: customers see an intent's name as their ticket's topic, in their language
(templatetags/intent_names.py translates it; a name an admin wrote is shown as written)."""

from django.utils.translation import gettext_noop

STARTER_INTENT_NAMES = (
    gettext_noop("Create an account"),
    gettext_noop("Close or delete my account"),
    gettext_noop("Change my account details"),
    gettext_noop("Reset a forgotten password"),
    gettext_noop("Problems signing up"),
    gettext_noop("Switch between accounts"),
    gettext_noop("Cancellation fees"),
    gettext_noop("Contact customer service"),
    gettext_noop("Speak to a person"),
    gettext_noop("Delivery options"),
    gettext_noop("How long delivery takes"),
    gettext_noop("Make a complaint"),
    gettext_noop("Leave a review or feedback"),
    gettext_noop("Check an invoice"),
    gettext_noop("Get a copy of an invoice"),
    gettext_noop("Newsletter subscription"),
    gettext_noop("Cancel an order"),
    gettext_noop("Change an order"),
    gettext_noop("Place an order"),
    gettext_noop("Track an order"),
    gettext_noop("Payment methods"),
    gettext_noop("Payment problems"),
    gettext_noop("Refund policy"),
    gettext_noop("Request a refund"),
    gettext_noop("Refund status"),
    gettext_noop("Change the delivery address"),
    gettext_noop("Add a delivery address"),
)
