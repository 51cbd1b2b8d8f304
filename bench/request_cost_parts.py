"""The parts of a ticket's CPU that issue 19's request-cost changes cut, each timed against the
library call it replaces, in one process, alternating the two (issue 19; docs/BENCHMARKS.md).

bench/post_cost.py measures the whole POST, but on a shared host its run-to-run noise (±1 ms)
is as large as each of these parts: here the old and the new way of doing one part run on the
same input in turn, many times, so the difference stands out from the host's noise. Both
ways are called as the request calls them; the outputs are checked equal before timing.

Needs a migrated database with a trained model (as bench/post_cost.py). Run from the root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ours_rq \\
      .venv/bin/python bench/request_cost_parts.py --rounds 7
"""

import argparse
import json
import statistics
import time

import bench_django  # noqa: E402 - bench/ is sys.path[0] until setup() removes it

bench_django.setup()

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.template.defaultfilters import linebreaksbr, urlize  # noqa: E402
from django.utils import timezone  # noqa: E402

from channels.models import OutboundEmail  # noqa: E402
from channels.services.email_out import _MARK_SENT_SQL  # noqa: E402
from channels.templatetags.email_text import message_html  # noqa: E402
from resolution.engine.classifier import tfidf_rows  # noqa: E402
from resolution.engine.text import normalize  # noqa: E402
from resolution.services.registry import registry  # noqa: E402

# The side-by-side run's ticket (bench/post_cost.py --same-text) and the answer it gets.
TEXT = "Card charged twice\n\nI was charged twice for my order, please refund one payment (7)"
ANSWER = (
    "Hi Sam,\n\nWe're sorry about that! Often the second amount is only a temporary "
    "authorisation hold from a failed attempt, and your bank releases it automatically within "
    "3 to 5 business days without it ever being charged. You can check under "
    "https://shop.example.com/account/orders/: if you see only one order, only one payment was "
    "taken. If both amounts are still showing as completed after 5 business days, reply here "
    "with your order number and the dates and amounts from your statement, and we'll refund "
    "the duplicate."
)


def clock(call, n: int) -> float:
    """CPU milliseconds per call, over n calls."""
    started = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - started) * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300, help="calls per way per round")
    args = parser.parse_args()

    classifier = registry.model().classifier
    doc = normalize(TEXT)

    def transform_sklearn():  # as the classifier did before: validation skipped where it can be
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return [v.transform([doc]) for v in classifier._vectorizers]

    def transform_ours():
        return [tfidf_rows(v, [doc]) for v in classifier._vectorizers]

    uncached = normalize.__wrapped__

    def normalize_nine_times_uncached():  # a ticket's text through the engine's nine calls
        return [uncached(TEXT) for _ in range(9)]

    def normalize_nine_times_cached():
        normalize.cache_clear()  # the first call computes, as for a new ticket
        return [normalize(TEXT) for _ in range(9)]

    def body_filters():
        return linebreaksbr(urlize(ANSWER, autoescape=True), autoescape=True)

    def body_cached():
        return message_html(ANSWER, autoescape=True)

    def mark_sent_orm():
        OutboundEmail.objects.filter(message_id="<bench@example.com>").update(
            sent_at=timezone.now()
        )

    def mark_sent_sql():
        with connection.cursor() as cursor:
            sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(_MARK_SENT_SQL, [sent_at, "<bench@example.com>"])

    # The same outputs, or the timing means nothing.
    for theirs, ours in zip(transform_sklearn(), transform_ours(), strict=True):
        assert np.array_equal(theirs.toarray(), ours.toarray())
    assert normalize_nine_times_uncached() == normalize_nine_times_cached()
    assert body_filters() == body_cached()

    parts = {
        "tfidf (2 vectorizers)": (transform_sklearn, transform_ours),
        "normalize (9 calls)": (normalize_nine_times_uncached, normalize_nine_times_cached),
        "answer html body": (body_filters, body_cached),
        "mark sent (1 UPDATE)": (mark_sent_orm, mark_sent_sql),
    }
    times = {name: ([], []) for name in parts}
    with transaction.atomic():  # the UPDATEs touch no row; rolled back anyway
        for _ in range(args.rounds):
            for name, (before, after) in parts.items():
                times[name][0].append(clock(before, args.calls))
                times[name][1].append(clock(after, args.calls))
        transaction.set_rollback(True)
    result = {}
    for name, (before, after) in times.items():
        saved = [b - a for b, a in zip(before, after, strict=True)]
        result[name] = {
            "before_ms": round(statistics.median(before), 4),
            "after_ms": round(statistics.median(after), 4),
            "saved_ms": round(statistics.median(saved), 4),
        }
    result["saved_ms_total"] = round(sum(r["saved_ms"] for r in result.values()), 3)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
