"""feedback's part of a customer's data export and erasure (see accounts/privacy.py)."""

from accounts.models import User
from feedback.models import Feedback, SatisfactionRating


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
        ],
        "satisfaction_surveys": [
            {
                "ticket": r.ticket_id,
                "score": r.score,
                "comment": r.comment,
                "created_at": r.created_at.isoformat(),
            }
            for r in SatisfactionRating.objects.filter(ticket__customer=user).order_by(
                "created_at", "pk"
            )
        ],
    }


def erase_user_data(user: User) -> None:
    """Ratings and survey scores stay (they are statistics); the free-text comments go."""
    Feedback.objects.filter(ticket__customer=user).update(comment="")
    SatisfactionRating.objects.filter(ticket__customer=user).update(comment="")
