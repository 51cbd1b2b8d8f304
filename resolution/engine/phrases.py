"""What every answer says the same way in each language the desk writes in: the greeting, and
the line that says an answer comes in English because it is not written in the customer's
language yet.

One greeting convention per language, added by the desk rather than written into each
template, so every answer greets exactly once (templates and knowledge answers carry none).
Written by us; a language without an entry here is answered in English.
"""

from __future__ import annotations

import re

DEFAULT_LANGUAGE = "en"

# With a name, and without one (a contact who wrote in by e-mail may have none).
GREETINGS: dict[str, tuple[str, str]] = {
    "en": ("Hi {name},", "Hello,"),
    "es": ("Hola, {name}:", "Hola:"),
    "de": ("Hallo {name},", "Hallo,"),
    "fr": ("Bonjour {name},", "Bonjour,"),
    "pt": ("Olá, {name}!", "Olá!"),
    "it": ("Ciao {name},", "Buongiorno,"),
    "nl": ("Hallo {name},", "Hallo,"),
}

FALLBACK_NOTES: dict[str, str] = {
    "es": "Esta respuesta aún no está disponible en español, así que te la enviamos en inglés. "
    "Si prefieres que te atienda una persona en español, responde a este mensaje.",
    "de": "Diese Antwort gibt es noch nicht auf Deutsch, deshalb schicken wir sie auf Englisch. "
    "Wenn Ihnen jemand auf Deutsch weiterhelfen soll, antworten Sie einfach auf diese Nachricht.",
    "fr": "Cette réponse n'existe pas encore en français, nous vous l'envoyons donc en anglais. "
    "Si vous préférez qu'une personne vous réponde en français, répondez simplement à ce message.",
    "pt": "Esta resposta ainda não está disponível em português, por isso enviamo-la em inglês. "
    "Se preferir que uma pessoa o ajude em português, basta responder a esta mensagem.",
    "it": "Questa risposta non è ancora disponibile in italiano, quindi te la inviamo in inglese. "
    "Se preferisci che ti aiuti una persona in italiano, rispondi a questo messaggio.",
    "nl": "Dit antwoord is nog niet in het Nederlands beschikbaar, daarom sturen we het in het "
    "Engels. Wilt u liever in het Nederlands geholpen worden, beantwoord dan dit bericht.",
}

# A greeting an admin may still have written at the top of a template: not doubled.
_GREETING_START = re.compile(
    r"^\s*(hi|hello|hey|dear|hola|hallo|bonjour|olá|ola|ciao|buongiorno|beste|liebe|lieber)\b",
    re.IGNORECASE,
)


def greeting(language: str, name: str) -> str:
    with_name, without = GREETINGS.get(language) or GREETINGS[DEFAULT_LANGUAGE]
    name = name.strip()
    return with_name.format(name=name) if name else without


def greets(text: str) -> bool:
    return bool(_GREETING_START.match(text))


def with_greeting(text: str, *, language: str, name: str) -> str:
    """``text`` opened with the language's greeting, unless it already opens with one."""
    if greets(text):
        return text
    return f"{greeting(language, name)}\n\n{text}"


def fallback_note(language: str) -> str | None:
    """The line telling a customer their answer is in English, in their language."""
    return FALLBACK_NOTES.get(language)
