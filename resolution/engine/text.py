"""Text normalization shared by the classifier and the similarity index.

Both sides must see the same text, or a knowledge entry written as "order 12345" would not
look like a ticket saying "order 98765". Identifiers, amounts, addresses and template
placeholders become stable tokens so the models learn the words around them, not the IDs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NUM = "<num>"
AMOUNT = "<amount>"
EMAIL = "<email>"
URL = "<url>"
SLOT = "<slot>"

# Scikit-learn token pattern that keeps our tokens whole ("<num>", not "num").
TOKEN_PATTERN = r"<[a-z]+>|\b\w+\b"  # noqa: S105 (a regex, not a password)

# Bitext-style placeholders ("{{Order Number}}", "{{Customer Support Email}}") name what
# would stand there in a real message; map them to the token a real value would become.
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_PLACEHOLDER_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"e-?mail"), EMAIL),
    (re.compile(r"\b(url|website|link|site)\b"), URL),
    (re.compile(r"\b(amount|price|fee|cost|money|sum|total)\b"), AMOUNT),
    (re.compile(r"\b(number|no|id|code|#)\b|\bnumber"), NUM),
)

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CURRENCY = r"[$€£¥₹]|usd|eur|gbp|chf|dollars?|euros?|pounds?|bucks"
_NUMBER = r"\d(?:[\d,.' ]*\d)?"
_AMOUNT = re.compile(
    rf"(?:(?:{_CURRENCY})\s?{_NUMBER}|{_NUMBER}\s?(?:{_CURRENCY}))(?![\w])", re.IGNORECASE
)
# Tokens holding a digit. Numbers and identifiers ("#A-10023", "inv2024-77", card endings,
# phone numbers) become <num>; short words that merely contain a digit ("w2", "401k", "3d",
# "5th", "6pm") carry meaning and stay.
_IDENT = re.compile(r"#?\b[\w-]*\d[\w/-]*")
_PURE_NUMBER = re.compile(r"#?[\d.,/-]+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "`": "'", "“": '"', "”": '"'})
_SPACES = re.compile(r"\s+")


def _placeholder_token(match: re.Match[str]) -> str:
    name = match.group(1).lower()
    for pattern, token in _PLACEHOLDER_KINDS:
        if pattern.search(name):
            return f" {token} "
    return f" {SLOT} "


def _ident_token(match: re.Match[str]) -> str:
    token = match.group(0)
    digits = sum(ch.isdigit() for ch in token)
    if token.startswith("#") or _PURE_NUMBER.fullmatch(token) or (digits >= 3 and len(token) >= 5):
        return f" {NUM} "
    return token


# One ticket's text is normalized nine times on its way through the engine (the classifier,
# its views, the knowledge search and the abstention checks each start from it): 0.2 ms of
# regular expressions a ticket, computed once instead (issue 19, bench/request_cost_parts.py).
# Strings are immutable, so a cached result cannot be changed under a caller. A ticket needs a
# few entries (its text, its clauses); 64 keep the memory to a few MB even at 10,000 characters.
@lru_cache(maxsize=64)
def normalize(text: str) -> str:
    """Lowercase, NFKC, stable tokens for IDs/amounts/e-mails/URLs/placeholders, one space."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    text = _PLACEHOLDER.sub(_placeholder_token, text)
    text = _URL.sub(f" {URL} ", text)
    text = _EMAIL.sub(f" {EMAIL} ", text)
    text = text.lower()
    text = _AMOUNT.sub(f" {AMOUNT} ", text)
    text = _IDENT.sub(_ident_token, text)
    return _SPACES.sub(" ", text).strip()
