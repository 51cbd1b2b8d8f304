"""Normalization: the models see words, not identifiers."""

import pytest

from resolution.engine.text import normalize


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Where is   my ORDER #A-10023?", "where is my order <num> ?"),
        ("Charged $45.99 twice", "charged <amount> twice"),
        ("refund 20 EUR", "refund <amount>"),
        ("mail John.Doe@example.co.uk now", "mail <email> now"),
        ("see https://shop.example.com/o?id=1", "see <url>"),
        ("cancel {{Order Number}}", "cancel <num>"),
        ("write to {{Customer Support Email}}", "write to <email>"),
        ("open {{Account Settings}}", "open <slot>"),
        ("I can’t log in", "i can't log in"),
        ("ＦＵＬＬＷＩＤＴＨ　text", "fullwidth text"),
        ("invoice INV2024-77 and order 00123842", "invoice <num> and order <num>"),
        # Words that merely contain a digit keep their meaning.
        ("my w2 and 401k, 3d secure, the 5th at 6pm", "my w2 and 401k, 3d secure, the 5th at 6pm"),
        ("", ""),
    ],
)
def test_normalize(raw, normalized):
    assert normalize(raw) == normalized
