"""Knowledge in another language: a translation is an entry of its own, in its language,
linked to its source (``translation_of``), and reviewed like any other entry before it
answers anyone. An entry never answers a ticket in another language by itself
(engine/knowledge.py).

A person writes the translation, or the optional OpenAI-compatible LLM (settings LLM_*)
drafts it for review; the desk never needs one. The LLM is called with no transaction open.
"""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.db import transaction

from accounts.models import User
from common.errors import Conflict, InvalidInput
from resolution.engine.llm import LLMProvider, llm_from_settings
from resolution.models import KnowledgeEntry, KnowledgeStatus
from resolution.services.scrubbing import knowledge_text_scrub

logger = logging.getLogger(__name__)

TRANSLATE_SYSTEM = (
    "You translate customer-support answers for an online shop. Translate faithfully and "
    "naturally, in the register a shop uses with its customers. Keep every placeholder in "
    "double curly braces, such as {{ shop.orders_url }} or {{ customer.first_name }}, exactly "
    "as it is. Reply with one JSON object and nothing else: "
    '{"question": "...", "answer": "..."}.'
)
_PLACEHOLDER = re.compile(r"\{\{\s*[\w.]+\s*\}\}")
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def served_language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


@transaction.atomic
def knowledge_translation_create(
    *,
    source_id: int,
    language: str,
    question: str,
    answer: str,
    created_by: User | None = None,
) -> KnowledgeEntry:
    """A pending translation of an entry into ``language``, scrubbed like every knowledge
    write, waiting for review. One translation per source and language."""
    source = KnowledgeEntry.objects.select_for_update().filter(pk=source_id).first()
    if source is None:
        raise InvalidInput("No such knowledge entry.")
    if source.translation_of_id is not None:
        raise InvalidInput("Translate the original entry, not a translation of it.")
    if language not in dict(settings.LANGUAGES) or language == source.language:
        raise InvalidInput(
            f"Not a language to translate into: {language!r}.", details={"language": ["invalid"]}
        )
    if (
        source.translations.filter(language=language)
        .exclude(status=KnowledgeStatus.RETIRED)
        .exists()
    ):
        raise Conflict("This entry already has a translation in that language.", code="exists")
    scrubbed = knowledge_text_scrub(
        question=(question or "").strip(), answer=(answer or "").strip()
    )
    question, answer = scrubbed.question.text.strip(), scrubbed.answer.text.strip()
    if not question or not answer:
        raise InvalidInput("Both the question and the answer are needed.")
    return KnowledgeEntry.objects.create(
        question=question,
        title=question[:200],
        answer=answer,
        intent_id=source.intent_id,
        language=language,
        translation_of=source,
        created_by=created_by,
        status=KnowledgeStatus.PENDING,
    )


def translation_prompt(entry: KnowledgeEntry, language: str) -> str:
    return (
        f"Translate this entry from {served_language_name(entry.language)} into "
        f"{served_language_name(language)} (ISO code {language}).\n\n"
        + json.dumps(
            {"question": entry.public_title or entry.question, "answer": entry.answer},
            ensure_ascii=False,
        )
    )


def parse_translation(reply: str | None, *, source_answer: str) -> tuple[str, str] | None:
    """(question, answer) from the LLM's reply, or None when it is not usable: not JSON,
    missing a field, or a placeholder of the source lost or invented on the way."""
    match = _JSON_OBJECT.search(reply or "")
    if match is None:
        return None
    try:
        data = json.loads(match.group(0))
    except ValueError:
        return None
    question, answer = data.get("question"), data.get("answer")
    if not isinstance(question, str) or not isinstance(answer, str):
        return None
    if sorted(_PLACEHOLDER.findall(answer)) != sorted(_PLACEHOLDER.findall(source_answer)):
        return None
    return question.strip(), answer.strip()


def knowledge_translation_draft(
    *,
    source_id: int,
    language: str,
    created_by: User | None = None,
    llm: LLMProvider | None = None,
) -> KnowledgeEntry | None:
    """The LLM's draft translation, pending review; None when no LLM is configured or its
    reply is not usable (a person then writes it)."""
    llm = llm or llm_from_settings(
        settings.LLM_BASE_URL,
        settings.LLM_MODEL,
        settings.LLM_API_KEY,
        settings.LLM_TIMEOUT_SECONDS,
    )
    source = KnowledgeEntry.objects.filter(pk=source_id).first()
    if source is None:
        raise InvalidInput("No such knowledge entry.")
    try:
        reply = llm.generate(translation_prompt(source, language), system=TRANSLATE_SYSTEM)
    except Exception:  # third-party providers may raise; an LLM is never required
        logger.warning("LLM translation of entry %s failed", source_id, exc_info=True)
        return None
    parsed = parse_translation(reply, source_answer=source.answer)
    if parsed is None:
        return None
    question, answer = parsed
    return knowledge_translation_create(
        source_id=source_id,
        language=language,
        question=question,
        answer=answer,
        created_by=created_by,
    )
