"""Which language a ticket is written in (tickets/services.py stores it on the ticket).

py3langid (a 0.7 MB wheel, numpy only, ~0.05 ms a text) rather than lingua-language-detector
(a 96 MB wheel, more accurate on one-word texts but no better on tickets): figures from
``bench/language_detect.py`` in docs/BENCHMARKS.md.

Two readings of the text:

* among the desk's languages (settings.DESK_LANGUAGES) — the ticket's language when the
  model is sure enough and the text long enough (short greetings like "hola" or "ok" are
  ambiguous between languages, so they fall back to the customer's own language, then to the
  desk's first language);
* among every language the model knows — a ticket clearly in another language (long enough
  and confident) gets that language, and the pipeline escalates it (UNSUPPORTED_LANGUAGE)
  instead of answering in English by accident.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.utils.translation import get_language_info
from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Letters needed, and the probability among the desk's languages, before the text's own
# language is trusted over the customer's. On 5,959 short texts of known language
# (bench/language_detect.py): no rule 3.5% wrong; 12 letters and 0.90: 1.1% wrong, 6.8% fall
# back; 12 and 0.99: 0.20% wrong, 10.4% fall back (mostly short English, which the fallback
# gets right anyway). py3langid is confidently wrong on some short English ("how do I stop
# getting your promo emails": Portuguese at 0.99998), so a stricter bar buys little more.
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.99
# A language the desk does not serve is concluded only from a text of 20 letters or more whose
# probability is almost all (>= 0.9999) on unserved languages together ("Hvor er min ordre?" is
# split between Danish and Norwegian): a false "unsupported" sends a served customer to a
# person. On the 5,959 served-language texts 3 were called unserved (0.05%; at 0.95: 53), and
# all 30 texts of bench/data/unserved_languages.csv (15 other languages) were caught.
MIN_LETTERS_OTHER = 20
MIN_CONFIDENCE_OTHER = 0.9999

_LETTER = re.compile(r"[^\W\d_]")
# Chinese, Japanese and Korean characters hold about a syllable or a word each, not a letter:
# they count twice, so a short Japanese sentence is long enough to tell.
_WIDE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Identifiers, URLs and e-mail addresses say nothing about the language. ASCII only, so a
# Japanese sentence (no spaces) holding an order number is not dropped whole.
_NOISE = re.compile(r"https?://\S+|[\w.+%-]*[@#/][\w./+%-]*|[A-Za-z._-]*\d[A-Za-z\d._/-]*")


def desk_languages() -> list[str]:
    return [code.strip().lower() for code in settings.DESK_LANGUAGES if code.strip()]


def language_label(code: str) -> str:
    """ "Spanish (es)" for a code Django knows, else the code itself."""
    try:
        return f"{get_language_info(code)['name']} ({code})"
    except KeyError:
        return code


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...] | None) -> LanguageIdentifier:
    """One identifier per set of languages (None: every language the model knows), loaded
    once per process (~60 ms); norm_probs gives probabilities that sum to 1.

    Never re-restricted once made: `set_languages` rewrites the identifier's arrays, and a
    web process's threads share it, so a thread ranking among every language while another
    narrowed it to the desk's failed (numpy shapes 97 against 7, a 500 under load)."""
    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages) if languages else None)
    return identifier


def _ranking(text: str, languages: list[str] | None) -> list[tuple[str, float]]:
    identifier = _identifier(tuple(languages) if languages else None)
    return [(code, float(probability)) for code, probability in identifier.rank(text)]


def language_detect(text: str, *, preferred: str = "") -> str:
    """The ISO 639-1 code of ``text``'s language.

    ``preferred`` (the customer's own language, "" when unknown) is the answer when the text
    cannot tell: too short, or no language of the desk clearly ahead.
    """
    served = desk_languages() or ["en"]
    fallback = preferred if preferred in served else served[0]
    clean = _NOISE.sub(" ", text or "")
    letters = len(_LETTER.findall(clean)) + len(_WIDE.findall(clean))
    if letters < MIN_LETTERS:
        return fallback
    if letters >= MIN_LETTERS_OTHER:
        ranking = _ranking(clean, None)
        unserved = sum(probability for code, probability in ranking if code not in served)
        if unserved >= MIN_CONFIDENCE_OTHER:
            return ranking[0][0]
    if len(served) == 1:
        return served[0]
    code, probability = _ranking(clean, served)[0]
    return code if probability >= MIN_CONFIDENCE else fallback
