"""Abstain on what is not a plain, single request for an intent's standard answer.

A confident classifier is not enough: "I clicked 'Forgot your password?' three times and the
reset e-mail never arrives" is confidently about the password, and the standard answer (the
reset steps) is exactly what failed. Each check here reads the text (and the classifier's other
views of it) and, when it fires, is its own escalation reason:

- ``no_content``: nothing to act on: empty, a bare number/e-mail/URL, greetings or thanks
  only, a closing remark ("i got refund thankyou"), or a word or two that name no request
  ("not working", "order??");
- ``path_failed``: the customer reports that the standard path already failed (tried it,
  never arrives, keeps saying the same, greyed out, an error, for days);
- ``negated_intent``: the intent was picked by what the customer does *not* want ("I do NOT
  want to cancel my order, I just want to know when it arrives");
- ``several_requests``: two clauses of the ticket are each confidently about different
  intents;
- ``out_of_distribution``: no training example comes close (word TF-IDF cosine), whatever
  the softmax says;
- ``views_disagree``: the word n-grams alone and the character n-grams alone both pick
  another intent than the model, or a very close training example is about another intent.

The cue lists are hand-written regular expressions, English's here and each other language's
in its own module of :mod:`.cues` (joined in as alternatives): no library ships "customer says the
standard answer failed" for support tickets, and a rule an operator can read beats a model
nobody can audit. They are checked against the training data: a cue that is ordinary for an
intent (BANKING77's ``card_not_working`` is *about* things failing; its examples say so) does
not make that intent abstain. ``text_profile`` measures, at training time, the share of each
intent's examples that carry each cue.

Pure functions: no database, no Django.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import cues
from .text import normalize
from .types import (
    NEGATED_INTENT,
    NO_CONTENT,
    OUT_OF_DISTRIBUTION,
    PATH_FAILED,
    SEVERAL_REQUESTS,
    VIEWS_DISAGREE,
    Prediction,
    TextViews,
)

# The checks in the order they are reported (the first that fires names the reason).
TEXT_CHECKS = (NO_CONTENT, PATH_FAILED, NEGATED_INTENT, SEVERAL_REQUESTS)
MODEL_CHECKS = (OUT_OF_DISTRIBUTION, VIEWS_DISAGREE)


@dataclass(frozen=True, slots=True)
class AbstainConfig:
    """Thresholds, chosen on the HINT3 training sets (cross-validated) and our development
    set only (bench/abstain_tune.py; figures in docs/BENCHMARKS.md)."""

    # Unlike anything learned: further from the closest training example than this share
    # of training examples are from theirs (the model's exemplar_similarity_quantiles).
    exemplar_quantile: str = "0.05"
    # Unlike anything learned, too: at least this share of the ticket's content words are
    # outside the model's vocabulary (typos, another language, product names never seen).
    max_unknown_share: float = 0.5
    # A clause (or a negated phrase) "is about" an intent when the classifier gives it this.
    clause_confidence: float = 0.5
    # Several requests: one clause about an intent at clause_confidence, another about a
    # different intent at least this sure (the calibration leaves short clauses unsure).
    second_clause_confidence: float = 0.3
    # A cue carried by at least this share of an intent's training examples is ordinary for
    # that intent and does not make it abstain.
    ordinary_share: float = 0.5
    # A training example at least this similar that belongs to another intent disagrees.
    disagree_similarity: float = 0.8
    # A ticket this close to a training example is that example: a one-word ticket the desk
    # trained on ("EMI") is content enough.
    trained_similarity: float = 0.9
    # Intents asked for by a negation: "I don't want any more advertising e-mails" IS the
    # unsubscribe request. When the negated phrase is about such an intent and nothing else
    # is asked, the negation is the request, not a turn away from it.
    negation_requests: frozenset[str] = frozenset({"newsletter_subscription"})


DEFAULT_CONFIG = AbstainConfig()
# The other languages' starter vocabularies are a quarter of English's (540 examples a language
# against 2,000), so ordinary words of a long ticket are often unseen: at 0.5, 5-12 of the 25
# clear held-out tickets a language escalated as out_of_distribution. 0.75 was chosen on the
# multilingual dev set (clear tickets answered: 34 -> 40 of 54, wrong answers unchanged);
# docs/BENCHMARKS.md, "Languages". English keeps the threshold it was tuned with.
# A failure cue is ordinary for an intent at a fifth of its examples (not half): the two
# intents that are *about* something failing, registration_problems (37% of the starter
# examples carry a cue) and payment_issue (~20-25%), stand far above the rest (track_order
# 10%, every other under 9%), and a Spanish "me sale un error" at sign-up is that request.
# Chosen on the multilingual sets (held-out: es and fr +1 clear ticket each, no wrong answer;
# seen, so not blind); English keeps 0.5: at 0.2 one more failed-path hard case is answered.
OTHER_LANGUAGE_CONFIG = AbstainConfig(max_unknown_share=0.75, ordinary_share=0.2)


def config_for(language: str) -> AbstainConfig:
    """The abstention thresholds for a ticket in ``language`` ("" = unknown: English's)."""
    return DEFAULT_CONFIG if language in ("", "en") else OTHER_LANGUAGE_CONFIG


# --- Words -------------------------------------------------------------------------------

# Letters of any alphabet ("está", "löschen"), so the other languages' words stay whole.
_WORD = re.compile(r"<[a-z]+>|[^\W\d_](?:[^\W\d_]|')*")
# Function words. Hand-written rather than sklearn's ENGLISH_STOP_WORDS, which also drops
# words that carry a support request ("bill", "call", "find", "empty", "fire").
_FUNCTION = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "you",
        "your",
        "u",
        "ur",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "them",
        "their",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "having",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "about",
        "into",
        "as",
        "and",
        "or",
        "but",
        "so",
        "if",
        "then",
        "than",
        "too",
        "very",
        "just",
        "also",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "some",
        "any",
        "all",
        "each",
        "my",
        "im",
        "i'm",
        "ive",
        "i've",
        "id",
        "i'd",
        "ill",
        "i'll",
        "dont",
        "don't",
        "doesnt",
        "doesn't",
        "didnt",
        "didn't",
        "cant",
        "can't",
        "wont",
        "won't",
        "isnt",
        "isn't",
        "not",
        "no",
        "yes",
        "get",
        "got",
    ]
) | cues.words("FUNCTION_WORDS")
# Greetings, thanks and politeness: a message of only these has nothing to act on.
_COURTESY = frozenset(
    [
        "hi",
        "hii",
        "hiii",
        "hello",
        "helo",
        "hellow",
        "hey",
        "heya",
        "hy",
        "dear",
        "team",
        "sir",
        "sirs",
        "madam",
        "mam",
        "maam",
        "good",
        "morning",
        "afternoon",
        "evening",
        "night",
        "thanks",
        "thank",
        "thankyou",
        "thanku",
        "thanx",
        "thnx",
        "thx",
        "ty",
        "tq",
        "please",
        "pls",
        "plz",
        "plzz",
        "kindly",
        "ok",
        "okay",
        "okk",
        "k",
        "kk",
        "yeah",
        "yep",
        "yup",
        "nope",
        "sure",
        "fine",
        "great",
        "cool",
        "nice",
        "bye",
        "goodbye",
        "regards",
        "cheers",
        "welcome",
        "noted",
        "alright",
        "hmm",
        "hmmm",
        "ah",
        "oh",
        "wow",
        "guys",
        "bro",
        "bhai",
        "ji",
        "there",
        "again",
    ]
) | cues.words("COURTESY")
_THANKS = frozenset(
    ["thanks", "thank", "thankyou", "thanku", "thanx", "thnx", "thx", "ty", "tq"]
) | cues.words("THANKS")
# Words that name no request on their own ("not working", "help!!", "order??").
_VAGUE = frozenset(
    [
        "help",
        "problem",
        "problems",
        "issue",
        "issues",
        "question",
        "questions",
        "query",
        "queries",
        "doubt",
        "working",
        "work",
        "works",
        "worked",
        "urgent",
        "asap",
        "need",
        "want",
        "something",
        "anything",
        "thing",
        "things",
        "same",
        "stuff",
    ]
)
# Topics that name no request alone ("order??", "my account"), unless asked about ("where is
# my order").
_TOPICS = frozenset(
    ["order", "orders", "account", "status", "info", "information", "detail", "details"]
)
_QUESTION = re.compile(r"\b(?:how|what|whats|when|where|why|which|who|can|could|is|are|do|does)\b")
# What makes a message a request rather than a remark.
_REQUEST = re.compile(
    r"\?|\b(?:how|what|whats|what's|when|where|why|which|who|can|could|would|will|pls|plz|"
    r"please|want|need|help|tell|show|send|give|let me|is there|are there|do you|does)\b"
    + "|"
    + cues.pattern("REQUEST")
)
_PLACEHOLDER_ONLY = frozenset({"<num>", "<email>", "<url>", "<amount>", "<slot>"})


def words(text: str) -> list[str]:
    """The normalized text's words and placeholder tokens."""
    return _WORD.findall(normalize(text))


def content_words(text: str) -> list[str]:
    """Words that are neither function words, courtesy nor placeholders."""
    return [
        w
        for w in words(text)
        if w not in _FUNCTION and w not in _COURTESY and w not in _PLACEHOLDER_ONLY and len(w) > 1
    ]


def no_content(text: str, *, trained: bool = False) -> str | None:
    """What is missing, or None: ``empty``, ``identifier`` (a bare number, e-mail, URL),
    ``courtesy`` (greetings/thanks only), ``remark`` (thanks and no request), ``vague`` (a
    word or two that name no request). ``trained``: the text is (almost) a training example,
    so a short one is what the desk taught the model to answer."""
    tokens = words(text)
    if not tokens:
        return "empty"
    content = content_words(text)
    if not content:
        if any(t in _PLACEHOLDER_ONLY for t in tokens):
            return "identifier"
        if any(t in _COURTESY for t in tokens):
            return "courtesy"
        return None if trained else "vague"
    lowered = normalize(text)
    if any(t in _THANKS for t in tokens) and not _REQUEST.search(lowered):
        return "remark"
    # Vague even when a training example says the same ("order"): the "order??".
    if all(w in _VAGUE for w in content):
        return "vague"
    if len(content) == 1 and content[0] in _TOPICS and not _QUESTION.search(lowered):
        return "vague"
    return None


# --- The standard path failed ------------------------------------------------------------

# Cues that the customer already tried the standard answer and it did not work. Not "I
# can't log in" (that is the request itself), but "I tried", "never arrives", "keeps
# saying", "greyed out", "three times", "for days".
_N = r"(?:n'?t|not)"
_FAILED = re.compile(
    # "I tried", not "how do I reset": no auxiliary or "to" right before the subject.
    r"(?<!do )(?<!can )(?<!could )(?<!should )(?<!would )(?<!will )(?<!may )(?<!to )(?<!if )"
    r"\b(?:i|we)(?:'ve| have)?\s+(?:already\s+)?(?:tried|followed|clicked|pressed|requested|"
    r"reset|did that|did this|done that|used the)\b"
    r"|\balready\s+(?:tried|did|done|followed|clicked|requested|reset|sent|asked|contacted|"
    r"applied|used|checked|changed|updated|filled)\b"
    r"|\bstill\s+(?:\w+\s+)?(?:not|no|nothing|nobody|never|unable|can'?t|cannot|"
    r"(?:do|does|did|have|has|is|are|was|were|wo|ca)" + _N + r"|dont|doesnt|didnt|havent|"
    r"hasnt|isnt|cant|wont)\b"
    # "never arrives", "never came": not "my order has not arrived", which is the plain
    # request of an intent like track_order, not a report that its answer failed.
    r"|\bnever\s+(?:\w+\s+){0,2}?(?:arrive[sd]?|arriving|come|came|coming|receive[sd]?|got)\b"
    r"|\b(?:(?:do|does|did|is|was|wo)" + _N + r"|dont|doesnt|didnt|wont|isnt|not)\s+"
    r"(?:\w+\s+){0,2}?(?:load(?:s|ed|ing)?|show(?:s|ed|ing|n)? up|appear(?:s|ed|ing)?|"
    r"go(?:es)? through|went through|going through|respond(?:s|ed|ing)?)\b"
    r"|\b(?:an? |the |same |this |that )?error(?:s| message| code)?\b"
    r"|\b(?:greyed|grayed)(?: out)?\b|\bdisabled\b|\bbroken\b|\bstuck\b|\bcrash(?:es|ed|ing)?\b"
    r"|\b(?:link|code|token)\s+(?:is\s+|was\s+)?(?:expired|invalid|not valid|dead)\b"
    r"|\bkeeps?\s+(?:on\s+)?(?:saying|showing|telling|giving|failing|asking|sending|"
    r"returning|crashing|logging|bouncing|rejecting|declining)\b"
    r"|\b(?:same|that)\s+(?:message|error|page|screen|thing|answer|reply|steps?)\s+"
    r"(?:again|every|each|for|over)\b"
    r"|\bagain and again\b|\bover and over\b|\bevery time\b"
    # "three times", not "twice" ("charged twice" is the problem, not a repeated attempt).
    r"|\b(?:two|three|four|five|six|several|multiple|many|\d+|<num>)\s+times\b"
    r"|\b(?:for|since|in)\s+(?:\d+|<num>|two|three|four|five|six|seven|ten|several|many|a few|"
    r"few)\s+(?:days|weeks|hours|months)\b"
    r"|\bnothing happens\b|\bdid ?n[o']?t (?:help|work|fix)\b|\bdoes ?n[o']?t work\b"
    r"|\bnot working\b|\bisn'?t working\b|\bstopped working\b"
    r"|\bnhi mil\w*\b|\bnahi mil\w*\b|\bnahi aa\w*\b|\bnhi aa\w*\b" + "|" + cues.pattern("FAILED"),
    re.IGNORECASE,
)


def failure_cue(text: str) -> str | None:
    """The phrase that reports the standard path failing, or None."""
    found = _FAILED.search(" ".join(normalize(text).split()))
    return found.group(0).strip() if found else None


# --- Negation ----------------------------------------------------------------------------

# A negation of what the customer wants ("I do NOT want to cancel", "please don't delete",
# "no cancellation"), up to the end of its clause.
_NEGATION = re.compile(
    # The other languages first: Spanish "No quiero cancelar" must not read as a bare "no".
    cues.pattern("NEGATION") + "|"
    # "I do NOT want to", "not trying to", "I never asked to", "no need to": a negated wish.
    r"(?:^|(?<=[\s,.;!?]))(?:(?:i|we)\s+)?(?:(?:am|'m|m|are|'re)\s+)?"
    r"(?:(?:do|does|did)\s*n[o']?t|dont|doesnt|didnt|not|never|no longer)\s+"
    r"(?:(?:really|actually|even|ever)\s+)?"
    r"(?:want|wanna|wish|need|plan|intend|mean|like|trying|going|asking|asked|looking|"
    r"requesting|requested)\s+(?:to\s+|for\s+|about\s+)?"
    r"|(?:^|(?<=[\s,.;!?]))(?:no need to|rather not)\s+"
    # "Please don't cancel", "Do not delete": an order not to do something (at the start of a
    # sentence or after please; "I don't recognise this payment" states a fact, not a wish).
    r"|(?:^|(?<=[,.;!?]\s)|(?<=please\s))(?:do\s*n[o']?t|dont|never)\s+"
    # "No cancellation": a bare no opening the message.
    r"|^no\s+",
    re.IGNORECASE,
)
# Where the negated phrase ends: the end of its clause, or the turn to what they do want.
_CLAUSE_END = re.compile(
    r"[.;!?\n,]|\b(?:(?:i|we)\s+)?(?:but|just|only|instead|rather|however|though)\b"
    r"|\b(?:i want|i need|i would|i'd|i wanna|i am|i'm|please)\b"
    + "|"
    + cues.pattern("CLAUSE_END"),
    re.IGNORECASE,
)


def negated_phrases(text: str) -> tuple[list[str], str]:
    """The phrases the customer negates, and the text without them (what they do want)."""
    text = " ".join((text or "").replace("’", "'").split())
    phrases: list[str] = []
    kept: list[str] = []
    position = 0
    for cue in _NEGATION.finditer(text):
        if cue.start() < position or cue.end() == cue.start():
            continue
        end = _CLAUSE_END.search(text, cue.end())
        stop = end.start() if end else len(text)
        phrase = text[cue.end() : stop].strip()
        if len(content_words(phrase)) == 0:
            continue
        phrases.append(phrase)
        kept.append(text[position : cue.start()])
        position = stop
    kept.append(text[position:])
    return phrases, " ".join(" ".join(kept).split())


# --- Several requests --------------------------------------------------------------------

# Sentence ends, and conjunctions that open a second request ("..., and also can you ...").
_SPLIT = re.compile(
    r"[.;!?\n]+|\b(?:and also|also|plus|another thing|one more thing|besides|additionally|"
    r"secondly|second|apart from that)\b"
    r"|,?\s*\band\s+(?=(?:can|could|would|will|how|what|when|where|why|i want|i need|"
    r"i would|i'd|please|pls|tell|let|change|cancel|update|send|give|also|is|are|do|does)\b)"
    + "|"
    + cues.pattern("SPLIT"),
    re.IGNORECASE,
)


# Split points that do not announce a request of their own: punctuation, a bare "and".
_NOT_ANNOUNCING = frozenset({"", "and", "und"})


def _connector(split: str) -> str:
    return split.strip(" ,.;:!?¿¡\n").lower()


def clauses(text: str) -> list[str]:
    """The parts of a ticket that could each be a request: two content words or more, or,
    when the ticket announces another request ("and another thing", "also"), a question
    with one ("Where is my order? And another thing, do you accept PayPal?": the first
    request names one thing, and it is a request all the same)."""
    text = text or ""
    ends = list(_SPLIT.finditer(text))
    # Only a connector announces a second request ("another thing", "also", "otra cosa"):
    # a follow-up question ("My card is lost! What do I do now?", "... and how soon can I
    # get it?") is the same request (BANKING77: 58 such tickets split otherwise).
    announced = any(_connector(end.group(0)) not in _NOT_ANNOUNCING for end in ends)
    found: list[str] = []
    start = 0
    for end in [*ends, None]:
        part = text[start : end.start() if end else len(text)].strip(" ,")
        asked = (end is not None and "?" in end.group(0)) or part.startswith("¿")
        n_content = len(content_words(part)) if part else 0
        # A question of three words or more: "order 123?" is a reference, not a request.
        one_noun_question = asked and announced and n_content == 1 and len(words(part)) >= 3
        if n_content >= 2 or one_noun_question:
            found.append(part)
        if end is not None:
            start = end.end()
    return found


# --- What the training data says is ordinary ---------------------------------------------


def text_profile(texts: Iterable[str], labels: Iterable[str]) -> dict[str, dict[str, float]]:
    """Per intent, the share of its examples that report a failure (``failure``) or negate
    (``negation``): cues ordinary for an intent do not make it abstain."""
    totals: Counter[str] = Counter()
    hits: dict[str, Counter[str]] = defaultdict(Counter)
    for text, label in zip(texts, labels, strict=True):
        totals[label] += 1
        if failure_cue(text):
            hits[label]["failure"] += 1
        if _NEGATION.search(" ".join((text or "").replace("’", "'").split())):
            hits[label]["negation"] += 1
    return {
        label: {cue: round(hits[label][cue] / n, 4) for cue in ("failure", "negation")}
        for label, n in sorted(totals.items())
    }


# --- The checks --------------------------------------------------------------------------


def assess_text(
    text: str,
    *,
    prediction: Prediction,
    views: TextViews | None,
    classify: Callable[[Sequence[str]], list[Prediction]],
    profile: dict[str, dict[str, float]] | None = None,
    exemplar_quantiles: dict[str, float] | None = None,
    config: AbstainConfig = DEFAULT_CONFIG,
) -> tuple[dict[str, bool], dict[str, Any]]:
    """Which abstention checks fire on a ticket, and what they saw.

    ``classify`` scores extra texts with the same model (the negated phrases, the clauses):
    one call, so one vectorization. ``profile`` is the model's :func:`text_profile` and
    ``exemplar_quantiles`` its nearest-example similarity quantiles (None for models trained
    before they were kept: no cue counts as ordinary, the distance check is off).
    """
    floor = (exemplar_quantiles or {}).get(config.exemplar_quantile)
    profile = profile or {}
    ordinary = profile.get(prediction.intent, {})
    views = views or TextViews()
    detail: dict[str, Any] = {}

    similarity = views.nearest_similarity
    trained = similarity is not None and similarity >= config.trained_similarity
    missing = no_content(text, trained=trained)
    detail["no_content"] = missing

    cue = failure_cue(text)
    failure_ordinary = ordinary.get("failure", 0.0) >= config.ordinary_share
    detail["failure_cue"] = cue
    detail["failure_ordinary"] = failure_ordinary if cue else None

    phrases, wanted = negated_phrases(text)
    parts = clauses(wanted) if wanted else []
    parts = parts if len(parts) >= 2 else []  # one clause: one request
    extra = classify([*phrases, *parts]) if (phrases or parts) else []
    negated = extra[: len(phrases)]
    per_clause = extra[len(phrases) :]

    negation_ordinary = ordinary.get("negation", 0.0) >= config.ordinary_share
    negation_is_request = (
        prediction.intent in config.negation_requests and len(content_words(wanted)) < 2
    )
    picked_by_negation = [
        phrase
        for phrase, scored in zip(phrases, negated, strict=True)
        if scored.intent == prediction.intent and scored.confidence >= config.clause_confidence
    ]
    detail["negated"] = [
        [p, s.intent, round(s.confidence, 3)] for p, s in zip(phrases, negated, strict=True)
    ]
    if phrases:
        detail["negation_ordinary"] = negation_ordinary
        detail["negation_is_request"] = negation_is_request
        detail["wanted"] = wanted

    surest = max(per_clause, key=lambda scored: scored.confidence, default=None)
    others = {
        scored.intent
        for scored in per_clause
        if scored.confidence >= config.second_clause_confidence
    }
    clause_intents = (
        sorted(others | {surest.intent})
        if surest is not None and surest.confidence >= config.clause_confidence
        else []
    )
    detail["clauses"] = [
        [p, s.intent, round(s.confidence, 3)] for p, s in zip(parts, per_clause, strict=True)
    ]

    detail["exemplar_similarity"] = None if similarity is None else round(similarity, 4)
    detail["exemplar_intent"] = views.nearest_intent
    detail["exemplar_floor"] = floor
    detail["word_intent"] = views.word_intent
    detail["char_intent"] = views.char_intent
    content = set(content_words(text))
    unknown = [w for w in (views.unknown_words or ()) if w in content]
    known = [w for w in (views.known_words or ()) if w in content]
    unknown_share = len(unknown) / (len(unknown) + len(known)) if (unknown or known) else 0.0
    detail["unknown_words"] = unknown[:10]
    # Both the word view and the character view pick another intent than the two together:
    # the combined verdict stands on neither. (One view differing alone is common on real
    # text and, measured on HINT3's training folds and BANKING77, bought no precision.)
    views_split = (
        views.word_intent is not None
        and views.char_intent is not None
        and views.word_intent != prediction.intent
        and views.char_intent != prediction.intent
    )
    exemplar_elsewhere = (
        similarity is not None
        and similarity >= config.disagree_similarity
        and views.nearest_intent not in (None, prediction.intent)
    )

    fired = {
        NO_CONTENT: missing is not None,
        PATH_FAILED: cue is not None and not failure_ordinary,
        NEGATED_INTENT: bool(picked_by_negation)
        and not negation_ordinary
        and not negation_is_request,
        SEVERAL_REQUESTS: len(clause_intents) >= 2,
        OUT_OF_DISTRIBUTION: (similarity is not None and floor is not None and similarity < floor)
        or (views.unknown_words is not None and unknown_share >= config.max_unknown_share),
        VIEWS_DISAGREE: views_split or exemplar_elsewhere,
    }
    return fired, detail
