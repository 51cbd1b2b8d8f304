"""Personal data out of knowledge text: what is learnt from one customer must fit every customer.

`scrub()` replaces personal data in a question or an answer before it is stored as knowledge:

- the known attributes of the people on the ticket (the customer's and the agent's names,
  e-mail addresses, phone numbers and addresses on file), matched literally, so the customer's
  own data is always caught (bench/pii_scrub.py: 100%);
- personal data found by pattern and validated where a checksum exists: e-mail addresses, phone
  numbers (libphonenumber's validity rules), payment card numbers (Luhn), IBANs (ISO 7064 check
  digits), UK/US/German postcodes, street addresses, order and tracking numbers, URLs that carry
  a token, and names after a greeting or a title.

The customer's name becomes a placeholder rendered for whoever receives the answer
(`{{ customer.first_name }}`, see `render_placeholders`); everything else becomes generic words
("your order", "your address"). `residual()` is the reviewer's second look: the same detectors
plus broader hints (long digit runs, a capitalised name after "for"/"from"), run on text that was
already scrubbed, so what is left for a person to judge is highlighted rather than missed.

Why patterns and not Presidio: Presidio's recognisers for names and places are spaCy NER models
(en_core_web_lg 3.8: a 348 MB package, which Presidio downloads at start-up when missing); its
pattern recognisers are the same kind as these, without the ticket's known attributes, which are
what must never leak.
Measured figures are in docs/BENCHMARKS.md ("PII scrubbing"). Pure functions, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn

Voice = Literal["answer", "question"]

FIRST_NAME = "{{ customer.first_name }}"
FULL_NAME = "{{ customer.full_name }}"
# Only these placeholders exist; anything else in double braces stays literal text.
_PLACEHOLDER = re.compile(r"\{\{\s*customer\.(first_name|full_name)\s*\}\}")
_SHOP_PLACEHOLDER = re.compile(r"\{\{\s*shop\.([a-z_]+)\s*\}\}")


@dataclass(frozen=True)
class Person:
    """What the desk has on file about one person on the ticket."""

    role: Literal["customer", "agent"]
    full_name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    replacement: str
    # Higher wins when two findings overlap (a card number also looks like a phone number).
    priority: int = 0


@dataclass(frozen=True)
class Scrubbed:
    text: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.findings)


# --- generic words, per voice ("your order" in an answer, "my order" in a question) ---------

_WORDS: dict[str, str] = {
    "email": "{p} e-mail address",
    "phone": "{p} phone number",
    "card": "{p} card",
    "iban": "{p} bank account",
    "postcode": "{p} postcode",
    "address": "{p} address",
    "order": "{p} order",
    "tracking": "{p} tracking number",
    "reference": "{p} reference number",
    "url": "the link in {p} e-mail",
    "name": "the recipient",
    "agent_name": "our team",
    "number": "{p} reference number",
}


def _words(kind: str, voice: Voice) -> str:
    return _WORDS[kind].format(p="your" if voice == "answer" else "my")


# --- patterns --------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
# A query parameter or path segment that is a secret: a named token, or a long random string.
_URL_SECRET = re.compile(
    r"[?&#](?:token|key|sig|signature|code|auth|session|sid|reset|t|k|access_token|otp|hash)="
    r"|/[A-Za-z0-9_-]*(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}",
    re.IGNORECASE,
)
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\d-])")
# Upper case, as IBANs are written: case-insensitive, "...0130 00 please" would run on.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_UK_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b", re.IGNORECASE)
_US_ZIP = re.compile(
    r"(?<=\b(?:A[LKZR]|C[AOT]|D[EC]|F[L]|G[A]|H[I]|I[DLNA]|K[SY]|L[A]|M[EDAINSOT]|N[EVHJMYCD]|"
    r"O[HKR]|P[AR]|R[I]|S[CD]|T[NX]|U[TM]|V[TAI]|W[AVIY]|AS|GU|MP|AA|AE|AP) )\d{5}(?:-\d{4})?\b"
    r"|(?i:\b(?:zip|zip code|postal code|postcode|plz)\b:?\s*)\d{5}(?:-\d{4})?\b"
)
_DE_POSTCODE = re.compile(
    r"\b\d{5} [A-ZÄÖÜ][a-zäöüß]+(?:(?:[ -]|(?: (?:am|an|bei|im|in|ob|unter|vor|vorm)"
    r"(?: der| dem| den)?) )[A-ZÄÖÜ][a-zäöüß]+)*"
)
_STREET_WORDS = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Crescent|Cres|Close|Drive|Dr|Way|Court|Ct|Place|Pl|"
    "Terrace|Gardens|Grove|Boulevard|Blvd|Square|Sq|Hill|Row|Mews|Parade|Walk|Park|Rise|View|"
    "Green|Highway|Hwy|Circle|Cir|Trail|Parkway|Pkwy|Esplanade|Quay|Wharf|Yard|Vale|Gate"
)
_UNIT = r"(?:Flat|Studio|Apt|Apartment|Unit|Suite)\.? ?\w{1,5}"
# A capitalised word in a street name that is not the start of a flat number.
_SWORD = r"(?!(?:Flat|Studio|Apt|Apartment|Unit|Suite)\b)[A-Z][a-z'’]+"
_HOUSE = rf"(?:{_UNIT},? (?:\d{{1,5}}[A-Za-z]?,? )?|\d{{1,5}}[A-Za-z]?,? )"
_STREET = re.compile(
    rf"\b{_HOUSE}(?:{_SWORD} ){{1,3}}(?:{_STREET_WORDS})\b(?:,? {_UNIT}\b)?"
    r"|\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|"
    r"Straße|Platz|Weg|Allee|Gasse|Ring) \d{1,4}[a-z]?(?:/\d{1,4})?\b"
    r"|\b(?:PO|P\.O\.) Box \d+\b"
    r"|\b(?:PSC|Unit|USNS|USS|USCGC|CMR) [\w ]{1,20}(?:, Box \d+)?, (?:APO|FPO|DPO) (?:AA|AE|AP)"
    r" \d{5}\b",
)
# Street-shaped text with any street word ("519 Suzanne Common", "Studio 26, Browne Path",
# "Am Markt 5"): personal only when a city and a postcode follow, so kept only when joined.
_STREET_GUESS = re.compile(
    rf"\b{_HOUSE}(?:{_SWORD} ){{0,3}}{_SWORD}(?:,? {_UNIT}\b)?"
    r"|\b(?:[A-ZÄÖÜ][\wäöüß.-]+ ){0,2}[A-ZÄÖÜ][\wäöüß.-]+ \d{1,4}[a-z]?(?:/\d{1,4})?\b"
)
# "Leeds", "New York" between a street and a postcode: joined into one address (see _join).
_CITY_GAP = re.compile(r"^[,\s]*(?:[A-Z][a-zA-Z'’-]+(?:[ ,]+[A-Z][a-zA-Z'’-]+){0,3}[,\s]+)?$")
_DETERMINER = r"(?:(?:your|my|the|his|her|their|our) )?"
_ORDER = re.compile(
    rf"\b{_DETERMINER}(?:order|purchase)(?: (?:number|no\.?|ref(?:erence)?|id))?[:.]? ?#? ?"
    r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}\b",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    rf"\b{_DETERMINER}(?:invoice|account|customer|member(?:ship)?|case|ticket|booking|"
    r"reference|ref|return|rma|refund|parcel|consignment)"
    r"(?: (?:number|no\.?|ref(?:erence)?|id|code))?[:.]? ?#? ?"
    r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}\b",
    re.IGNORECASE,
)
_HASH_NUMBER = re.compile(r"(?<!\w)#\d{4,}\b")
_TRACKING = re.compile(
    rf"\b{_DETERMINER}(?:tracking|track(?:ing)? (?:number|no\.?|code|id|ref)|tracking (?:number|"
    r"no\.?|code|id|ref(?:erence)?))[:.]? ?(?:is )?#? ?(?=[A-Z0-9]*\d)[A-Z0-9]{8,35}\b"
    r"|\b1Z[0-9A-Z]{16}\b"  # UPS
    r"|\b[A-Z]{2}\d{9}[A-Z]{2}\b"  # UPU S10 (Royal Mail, USPS international, most posts)
    r"|\b(?:JD|JJD|JVGL)\d{9,18}\b",  # DHL
    re.IGNORECASE,
)
# A long id mixing capitals and digits ("QX48213377DE"), case-sensitive so words never match.
_LONG_ID = re.compile(r"\b(?=[A-Z0-9]*\d{6})(?=[A-Z0-9]*[A-Z]{2})[A-Z0-9]{10,30}\b")
_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ'’"
_NAME = rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?"
_GREETING_NAME = re.compile(
    rf"(?m)^(?:\s*)(?:Hi|Hello|Hey|Dear|Good (?:morning|afternoon|evening)),? ((?:{_NAME})"
    rf"(?: {_NAME})?)(?=\s*[,!.:\n]|$)"
)
_TITLE_NAME = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.? {_NAME}(?: {_NAME})?")
_MY_NAME = re.compile(
    rf"\b(?:my name is|my name's|I am|I'm|this is|name:)\s+({_NAME}(?: {_NAME})?)(?=[\s,.!]|$)"
)
_RELATIVE_NAME = re.compile(
    rf"\b(?:[Mm]y|[Yy]our|[Oo]ur) (?:wife|husband|partner|son|daughter|mother|father|mum|mom|dad|"
    rf"brother|sister|neighbour|neighbor|colleague|friend|flatmate|boss),? ({_NAME}"
    rf"(?: {_NAME}){{0,2}})(?![\w-])"
)
_SIGNED_BY = re.compile(
    rf"\b(?:signed for by|left with|delivered to|collected by|placed by|ordered by|for|by|with"
    rf"|from) ({_NAME}(?: {_NAME}){{1,2}})(?![\w-])"
)
# Numbers with no word saying what they are: long ones are some customer's order or parcel.
_BARE_ORDER = re.compile(
    r"(?<![\w#£$€.,/-])\d{6,11}(?![\w/-]|[.,]\d)|\b[A-Z]{2,5}-(?:[A-Z0-9]+-)*\d{4,}\b"
)
_BARE_TRACKING = re.compile(r"(?<![\w.,/-])\d{12,22}(?![\w/-]|[.,]\d)")
# Phone-shaped digits libphonenumber does not place ("869.843.0224x55402", "+49(0)0893 043350").
_PHONE_SHAPE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?)?\(?\d{2,5}\)?(?:[\s.-]?\d{2,5}){1,4}"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w-])"
)
_EXTENSION = re.compile(r"\s?(?:x|ext\.?)\s?\d{1,5}\b", re.IGNORECASE)
# Capitalised words a name-shaped pattern must not take (sentence starts and shop words).
_NOT_NAMES_TEXT = """I The A An It We You Our Your My This That Please Thanks Thank Sorry Yes No
Happy Sure Support Team Customer Service Here There Hope Welcome All Everyone Sir Madam Again
Just Order Orders Account Today Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday Sunday"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


def _validated_cards(text: str) -> Iterable[Finding]:
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits) and set(digits) != {"0"}:
            yield Finding("card", m.start(), m.end(), m.group(), "", priority=8)


def _validated_ibans(text: str) -> Iterable[Finding]:
    for m in _IBAN.finditer(text):
        # The longest prefix, cut at a space, that passes the check digits ("... 00 FOR MY").
        candidate = m.group()
        while candidate:
            if stdnum_iban.is_valid(candidate):
                end = m.start() + len(candidate)
                yield Finding("iban", m.start(), end, candidate, "", priority=9)
                break
            candidate = candidate.rpartition(" ")[0]


# libphonenumber's VALID leniency in the regions the desk serves, then a looser pass for numbers
# in reserved drama ranges (07700 900xxx is "possible" but not "valid": the issue's own example).
_SEVEN_DIGITS = re.compile(r"\d(?:[\s().+-]{0,3}\d){6}")
_PHONE_REGIONS = ("GB", "US", "DE", "FR", "ES", "IT", "NL", "IE", "AU")


def _phones(text: str) -> Iterable[Finding]:
    # Most knowledge text has no phone number: skip libphonenumber's nine passes (most of the
    # scrubber's time) unless seven digits stand close together somewhere.
    if not _SEVEN_DIGITS.search(text):
        return
    for region in _PHONE_REGIONS:
        for m in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            ext = _EXTENSION.match(text, m.end)
            end = ext.end() if ext else m.end
            yield Finding("phone", m.start, end, text[m.start : end], "", priority=5)
    for region in ("GB", "US"):
        for m in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.POSSIBLE
        ):
            digits = re.sub(r"\D", "", m.raw_string)
            if len(digits) >= 10 and re.match(r"[+(0]", m.raw_string):
                yield Finding("phone", m.start, m.end, m.raw_string, "", priority=4)
    for m in _PHONE_SHAPE.finditer(text):
        main = _EXTENSION.split(m.group())[0]
        if 9 <= len(re.sub(r"\D", "", main)) <= 15 and re.search(r"[\s.()+-]", main):
            yield Finding("phone", m.start(), m.end(), m.group(), "", priority=5)


def _regex(pattern: re.Pattern, kind: str, priority: int, group: int = 0) -> Iterable[Finding]:
    def find(text: str) -> Iterable[Finding]:
        for m in pattern.finditer(text):
            if group and m.group(group).split()[0] in _NOT_NAMES:
                continue
            yield Finding(kind, m.start(group), m.end(group), m.group(group), "", priority)

    return find  # type: ignore[return-value]


def _urls(text: str) -> Iterable[Finding]:
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:!?")
        if _URL_SECRET.search(url):
            yield Finding("url", m.start(), m.start() + len(url), url, "", priority=9)


def _greeting_names(text: str) -> Iterable[Finding]:
    for m in _GREETING_NAME.finditer(text):
        if m.group(1).split()[0] not in _NOT_NAMES:
            yield Finding("greeting_name", m.start(1), m.end(1), m.group(1), "", priority=6)


_PATTERN_DETECTORS = (
    _urls,
    _regex(_EMAIL, "email", 9),
    _validated_ibans,
    _validated_cards,
    _regex(_TRACKING, "tracking", 7),
    _regex(_LONG_ID, "tracking", 6),
    _regex(_ORDER, "order", 7),
    _regex(_REFERENCE, "reference", 7),
    _regex(_HASH_NUMBER, "order", 6),
    _regex(_STREET, "address", 6),
    _regex(_UK_POSTCODE, "postcode", 6),
    _regex(_US_ZIP, "postcode", 5),
    _regex(_DE_POSTCODE, "postcode", 2),
    _regex(_STREET_GUESS, "street_guess", 2),
    _regex(_BARE_ORDER, "order", 3),
    _regex(_BARE_TRACKING, "tracking", 4),
    _phones,
    _greeting_names,
    _regex(_TITLE_NAME, "name", 5),
    _regex(_MY_NAME, "own_name", 5, group=1),
    _regex(_RELATIVE_NAME, "third_name", 5, group=1),
    _regex(_SIGNED_BY, "third_name", 5, group=1),
)


# --- known attributes -----------------------------------------------------------------------


def _literal(value: str, *, case: bool = False) -> re.Pattern:
    """`value` as a pattern: whitespace-flexible, whole words, any case unless `case`."""
    words = [re.escape(w) for w in value.split()]
    body = r"[\s,]+".join(words)
    return re.compile(rf"(?<![\w@]){body}(?:'s|’s)?(?![\w@])", 0 if case else re.IGNORECASE)


def _digits_pattern(digits: str) -> re.Pattern:
    """The digits of a phone number on file, however spaced or prefixed in the text."""
    national = digits[-9:]  # the subscriber part survives any country/trunk prefix
    body = r"[\s().-]*".join(re.escape(d) for d in national)
    return re.compile(rf"(?:\+?\d{{1,3}}[\s().-]*)?(?:\(?0\)?[\s().-]*)?{body}(?!\d)")


def _known(people: Sequence[Person]) -> list[tuple[re.Pattern, str]]:
    """Finders for the people's own data; they outrank every pattern (priority 10)."""
    finders: list[tuple[re.Pattern, str]] = []
    for person in people:
        customer = person.role == "customer"
        name = " ".join(person.full_name.split())
        if name:
            parts = [p for p in name.split() if len(p) >= 2]
            if len(parts) > 1:
                finders.append((_literal(name), "full_name" if customer else "agent_name"))
            for i, part in enumerate(parts):
                kind = (
                    "first_name"
                    if i == 0 and customer
                    else "last_name"
                    if customer
                    else ("agent_name")
                )
                # Single name parts case-sensitively: "Will" the name, not "will" the verb.
                finders.append((_literal(part, case=True), kind))
        for email in person.emails:
            if email:
                finders.append((_literal(email), "email"))
        for phone in person.phones:
            digits = re.sub(r"\D", "", _EXTENSION.split(phone)[0])
            if len(digits) >= 7:
                finders.append((_digits_pattern(digits), "phone"))
        for address in person.addresses:
            for line in re.split(r"[,\n]+", address):
                if len(line.strip()) >= 3:
                    finders.append((_literal(line.strip()), "address"))
    return finders


# --- the scrubber ---------------------------------------------------------------------------


def _replacement(finding: Finding, voice: Voice) -> str:
    kind = finding.kind
    if kind in ("first_name", "greeting_name"):
        return FIRST_NAME
    if kind in ("full_name", "own_name"):
        return FULL_NAME
    if kind == "last_name":
        return FULL_NAME
    if kind == "third_name":
        return "them"
    return _words(kind, voice)


def _resolve(findings: list[Finding]) -> list[Finding]:
    """Non-overlapping findings: higher priority first, then the longer span, then earlier."""
    chosen: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-f.priority, -(f.end - f.start), f.start)):
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


_JOINABLE = {"address", "postcode", "street_guess"}


def _join_addresses(text: str, findings: list[Finding]) -> list[Finding]:
    """A street, a city and a postcode next to each other are one address, not three. A
    street-shaped guess counts only as part of such a run; alone it is dropped."""
    joined: list[Finding] = []
    for f in findings:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.kind in _JOINABLE
            and f.kind in _JOINABLE
            and _CITY_GAP.match(text[prev.end : f.start])
        ):
            kind = "street_guess" if f.kind == prev.kind == "street_guess" else "address"
            joined[-1] = Finding(kind, prev.start, f.end, text[prev.start : f.end], "", 11)
        else:
            joined.append(f)
    return [f for f in joined if f.kind != "street_guess"]


_PHONE_EDGE_BEFORE = re.compile(r"[(+][\d\s().+-]*$")


def _widen_phones(text: str, findings: list[Finding]) -> list[Finding]:
    """A phone number with its opening bracket or + and its extension ("(303)855-5979x84793"),
    so no stray digits are left beside the generic words."""
    out = []
    for i, f in enumerate(findings):
        if f.kind == "phone":
            floor = findings[i - 1].end if i else 0
            before = _PHONE_EDGE_BEFORE.search(text[max(floor, f.start - 8) : f.start])
            start = f.start - len(before.group()) if before else f.start
            ext = _EXTENSION.match(text, f.end)
            ceiling = findings[i + 1].start if i + 1 < len(findings) else len(text)
            end = ext.end() if ext and ext.end() <= ceiling else f.end
            f = Finding(f.kind, start, end, text[start:end], "", f.priority)
        out.append(f)
    return out


def _absorb_titles(text: str, findings: list[Finding]) -> list[Finding]:
    """ "Mr Privett" is the name, title included."""
    out = []
    for f in findings:
        if f.kind in ("last_name", "full_name"):
            m = re.search(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? $", text[max(0, f.start - 6) : f.start])
            if m:
                f = Finding(f.kind, f.start - (len(m.group())), f.end, f.text, "", f.priority)
        out.append(f)
    return out


def _allowed(finding: Finding, allow: Sequence[str]) -> bool:
    low = finding.text.casefold()
    return any(a and (a.casefold() in low or low in a.casefold()) for a in allow)


def detect(text: str, *, people: Sequence[Person] = (), allow: Sequence[str] = ()) -> list[Finding]:
    """Every piece of personal data found in `text`, non-overlapping, in order."""
    if not text:
        return []
    findings: list[Finding] = []
    for pattern, kind in _known(people):
        for m in pattern.finditer(text):
            findings.append(Finding(kind, m.start(), m.end(), m.group(), "", priority=10))
    places: list[Finding] = []
    for detector in _PATTERN_DETECTORS:
        for f in detector(text):
            (places if f.kind in _JOINABLE else findings).append(f)
    # Streets, cities and postcodes first, among themselves: a whole address outranks a name
    # or a number inside it ("195 Thomas Parkways" is an address, not the customer Thomas).
    findings.extend(_join_addresses(text, _resolve(places)))
    findings = [f for f in findings if not _placeholder_overlap(text, f)]
    findings = [f for f in findings if not _allowed(f, allow)]
    return _absorb_titles(text, _widen_phones(text, _resolve(findings)))


def _placeholder_overlap(text: str, finding: Finding) -> bool:
    return any(
        m.start() < finding.end and finding.start < m.end() for m in _PLACEHOLDER.finditer(text)
    )


def scrub(
    text: str,
    *,
    people: Sequence[Person] = (),
    voice: Voice = "answer",
    allow: Sequence[str] = (),
) -> Scrubbed:
    """`text` with personal data replaced by placeholders or generic words.

    `voice`: "answer" for the agent's words ("your order"), "question" for the customer's
    ("my order"). `allow`: the desk's own contact details, which are not personal data.
    """
    findings = detect(text, people=people, allow=allow)
    if not findings:
        return Scrubbed(text=text)
    out, last, done = [], 0, []
    for f in findings:
        replacement = _replacement(f, voice)
        out.append(text[last : f.start])
        out.append(replacement)
        last = f.end
        done.append(Finding(f.kind, f.start, f.end, f.text, replacement, f.priority))
    out.append(text[last:])
    return Scrubbed(text=_tidy("".join(out)), findings=tuple(done))


def _tidy(text: str) -> str:
    """Generic words next to each other read as one ("your address, your postcode")."""
    for kind in ("address", "order", "phone number", "reference number", "tracking number"):
        text = re.sub(rf"\b(your|my) {kind}(?:[,\s]+(?:your|my) {kind})+", rf"\1 {kind}", text)
    text = re.sub(r"\b(your|my) (your|my) ", r"\1 ", text)
    return text


# --- the reviewer's second look -------------------------------------------------------------

_LONG_DIGITS = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){4,}(?![\d.,])")
_NAME_AFTER = re.compile(rf"\b(?:for|from|to|by|with|dear|hi|hello),? ({_NAME} {_NAME})\b")
_AT_SIGN = re.compile(r"\S@\S")


def residual(
    text: str, *, people: Sequence[Person] = (), allow: Sequence[str] = ()
) -> list[Finding]:
    """What still looks personal in already-scrubbed text, for a reviewer to fix.

    The scrubber's detectors plus broader hints it does not act on by itself: runs of five or
    more digits, anything with an @, two capitalised words after "for"/"from"/"to".
    """
    findings = list(detect(text, people=people, allow=allow))
    for pattern, kind in ((_LONG_DIGITS, "number"), (_AT_SIGN, "email")):
        for m in pattern.finditer(text):
            findings.append(Finding(kind, m.start(), m.end(), m.group(), "", priority=1))
    for m in _NAME_AFTER.finditer(text):
        if m.group(1).split()[0] not in _NOT_NAMES:
            findings.append(Finding("name", m.start(1), m.end(1), m.group(1), "", priority=1))
    findings = [f for f in findings if not _placeholder_overlap(text, f) and not _allowed(f, allow)]
    return _resolve(findings)


# --- rendering for the recipient ------------------------------------------------------------


def render_placeholders(
    text: str, *, first_name: str, full_name: str, shop: Mapping[str, str] | None = None
) -> str:
    """The customer placeholders filled in for the one customer who receives the text, and
    the shop's links ({{ shop.orders_url }}: resolution.models.ShopProfile) if given.

    A fixed substitution, not a template engine: knowledge text is written by agents and
    customers, and must not be able to run template tags or reach other variables.
    """
    values = {
        "first_name": (first_name or "").strip() or "there",
        "full_name": (full_name or "").strip() or "you",
    }
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
    if shop:
        text = _SHOP_PLACEHOLDER.sub(lambda m: str(shop.get(m.group(1), m.group(0))), text)
    return text


def has_placeholders(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text or ""))
