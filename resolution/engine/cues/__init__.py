"""Abstention and hand-off cues for the languages beyond English, one module per language.

English's cues stay where the checks are written (resolution/engine/abstain.py and
decision.py); each module here holds the same kinds of cue for one more language, as data:

- ``FUNCTION_WORDS``: words that carry no request (articles, pronouns, auxiliaries);
- ``COURTESY``: greetings, thanks and politeness (a message of only these asks nothing);
- ``THANKS``: the thanking words among them (thanks and no request is a closing remark);
- ``REQUEST``: words that make a message a request rather than a remark;
- ``FAILED``: the customer reports that the standard path already failed;
- ``NEGATION``: a negated wish ("no quiero cancelar"), up to ``CLAUSE_END``;
- ``CLAUSE_END``: where a negated phrase ends (the turn to what the customer does want);
- ``SPLIT``: connectors that open a second request ("y además", "und außerdem");
- ``ASK_PERSON``: an explicit request for a person, ``ASK_PERSON_WHOLE`` one that is the
  whole message, and ``NOT_BEFORE_ASK``: a negation shortly before it turns it around.

The checks read every language's cues on every ticket, not only the detected language's: a
cue is specific to its language, so it does not fire on another (checked against BANKING77's
and CLINC150's 25,000 English training texts: no failure, negation, split or person cue of
these modules matches one; words that are also English content words, "top", "door", "uber",
"eu", "ai", "over", are left out of the function-word lists; figures in docs/BENCHMARKS.md),
and a ticket mixing languages or mis-detected is still read right. Pure data and
regular-expression source; no Django.
"""

from __future__ import annotations

from types import ModuleType

from . import de, es, fr, it, nl, pt

LANGUAGES: dict[str, ModuleType] = {"es": es, "de": de, "fr": fr, "pt": pt, "it": it, "nl": nl}


def words(name: str) -> frozenset[str]:
    """One word list, every language together."""
    return frozenset(word for module in LANGUAGES.values() for word in getattr(module, name))


def pattern(name: str) -> str:
    """One cue pattern, every language as an alternative (regular-expression source)."""
    return "|".join(f"(?:{getattr(module, name)})" for module in LANGUAGES.values())
