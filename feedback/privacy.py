"""feedback's part of a customer's data export and erasure (see accounts/privacy.py)."""

from accounts.models import User
from feedback.models import Feedback


def export_user_data(user: User) -> dict:
    ratings = Feedback.objects.filter(ticket__customer=user).order_by("created_at", "pk")
    return {
        "feedback": [
            {
                "ticket": f.ticket_id,
                "rating": f.rating,
                "resolved": f.resolved,
                "comment": f.comment,
                "created_at": f.created_at.isoformat(),
            }
            for f in ratings
        ]
    }


def erase_user_data(user: User) -> None:
    """Ratings stay (they are statistics); the free-text comment goes."""
    Feedback.objects.filter(ticket__customer=user).update(comment="")
