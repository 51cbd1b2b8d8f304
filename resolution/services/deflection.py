"""Deflection: knowledge suggestions shown while a customer writes a ticket, and whether one
answered them (so no ticket was needed). Counted by the metrics as shown / helpful.

"Yes, this answered my question" must name a suggestion that was shown to that customer: each
one shown carries a token signed by the server (django.core.signing, with SECRET_KEY) that binds
the customer, the entry and the Deflection row recorded when it was shown, and expires after
SUGGESTION_TOKEN_MAX_AGE seconds. A token marks its row helpful once. So nobody can read entries
by id (POST entry=1..N) or inflate the "helpful" count.
"""

from django.conf import settings
from django.core import signing

from accounts.models import User
from common.errors import Conflict, InvalidInput
from resolution.models import Deflection, KnowledgeEntry, KnowledgeStatus

MAX_QUERY_LENGTH = 2_000
SIGNING_SALT = "resolution.deflection.suggestion"  # namespaces the signature, not a secret


def deflection_shown(*, customer: User, entry_id: int, query: str) -> Deflection:
    """A suggestion was put in front of the customer (once per entry per draft)."""
    return Deflection.objects.create(
        customer=customer, entry_id=entry_id, query=query[:MAX_QUERY_LENGTH], helpful=False
    )


def suggestion_token(*, customer: User, entry_id: int, deflection_id: int) -> str:
    """The signed proof that the entry was shown to `customer` (Deflection row `deflection_id`)."""
    return signing.dumps({"u": customer.pk, "e": entry_id, "d": deflection_id}, salt=SIGNING_SALT)


def _shown_row(customer: User, token: str) -> tuple[int, int]:
    """(deflection id, entry id) from a token, if it is genuine, fresh and this customer's."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=settings.SUGGESTION_TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidInput(
            "This suggestion is out of date: type your question again to see fresh ones.",
            code="expired",
            details={"token": ["expired"]},
        ) from exc
    except signing.BadSignature as exc:
        raise InvalidInput(
            "Which suggestion answered you?", details={"token": ["not a suggestion shown to you"]}
        ) from exc
    if not isinstance(data, dict) or data.get("u") != customer.pk:
        raise InvalidInput(
            "Which suggestion answered you?", details={"token": ["not a suggestion shown to you"]}
        )
    return int(data["d"]), int(data["e"])


def deflection_helpful(*, customer: User, token: str, query: str) -> Deflection:
    """The customer said the suggestion they were shown answered their question (once)."""
    deflection_id, entry_id = _shown_row(customer, token)
    if not KnowledgeEntry.objects.filter(pk=entry_id, status=KnowledgeStatus.ACTIVE).exists():
        raise InvalidInput(
            "This suggestion is no longer available.", details={"entry": ["unknown entry"]}
        )
    # One conditional UPDATE: two clicks (or a replayed token) mark the row once.
    marked = Deflection.objects.filter(
        pk=deflection_id, customer=customer, entry_id=entry_id, helpful=False
    ).update(helpful=True, query=query[:MAX_QUERY_LENGTH])
    if not marked:
        raise Conflict("You already told us this suggestion answered you.", code="already_answered")
    return Deflection.objects.select_related("entry__intent").get(pk=deflection_id)
