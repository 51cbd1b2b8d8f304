"""Customer satisfaction (CSAT) figures, for the metrics page and API: the survey answers
(feedback.models.SatisfactionRating) of the tickets created in the range, overall and per
agent, team and intent.

CSAT is the share of answers scoring 4 or 5 (the usual top-two-box measure); the average
score is beside it. Answers are few next to tickets (one per agent-resolved ticket at most),
so they are grouped straight from their table, in the database, not through the roll-up.
"""

from datetime import date

from django.db.models import Avg, Count, Q, QuerySet

from feedback.models import SatisfactionRating
from resolution.models import Intent
from resolution.services.metrics_rollup import created_in

SATISFIED = Q(score__gte=4)


def _figures(row: dict) -> dict:
    count = row["count"]
    return {
        "count": count,
        "satisfied": row["satisfied"],
        "csat": round(row["satisfied"] / count, 4) if count else None,
        "average_score": round(row["average"], 2) if row["average"] is not None else None,
    }


def _grouped(ratings: QuerySet[SatisfactionRating], *fields: str) -> list[dict]:
    rows = ratings.values(*fields).annotate(
        count=Count("id"), satisfied=Count("id", filter=SATISFIED), average=Avg("score")
    )
    return sorted(rows, key=lambda row: (-row["count"], str(row[fields[0]])))


def csat_summary(*, date_from: date | None = None, date_to: date | None = None) -> dict:
    """{count, satisfied, csat, average_score, by_agent, by_team, by_intent}."""
    ratings = SatisfactionRating.objects.filter(
        created_in("ticket__created_at", date_from, date_to)
    ).order_by()
    total = ratings.aggregate(
        count=Count("id"), satisfied=Count("id", filter=SATISFIED), average=Avg("score")
    )
    by_agent = [
        {
            "agent_id": row["agent_id"],
            "name": row["agent__full_name"] or row["agent__email"] or "(no agent)",
            **_figures(row),
        }
        for row in _grouped(ratings, "agent_id", "agent__full_name", "agent__email")
    ]
    by_team = [
        {"team_id": row["team_id"], "name": row["team__name"] or "(no team)", **_figures(row)}
        for row in _grouped(ratings, "team_id", "team__name")
    ]
    intent_rows = _grouped(ratings, "intent")
    names = dict(
        Intent.objects.filter(slug__in=[row["intent"] for row in intent_rows]).values_list(
            "slug", "name"
        )
    )
    by_intent = [
        {
            "intent": row["intent"],
            "name": names.get(row["intent"]) or row["intent"] or "Unclassified",
            **_figures(row),
        }
        for row in intent_rows
    ]
    return {**_figures(total), "by_agent": by_agent, "by_team": by_team, "by_intent": by_intent}
