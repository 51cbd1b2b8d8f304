"""Voice notes: the text of an audio attachment, from an optional OpenAI-compatible
`/audio/transcriptions` endpoint (OpenAI, or a self-hosted Whisper server speaking the same
API), configured like the LLM provider: TRANSCRIBE_BASE_URL (with its /v1), TRANSCRIBE_MODEL,
TRANSCRIBE_API_KEY, TRANSCRIBE_TIMEOUT_SECONDS.

tickets calls this through settings.TICKET_TRANSCRIBER (it does not import channels), before
its transaction opens. Every failure (no provider, network, timeout, bad status, odd JSON,
empty text) is None: the ticket then goes to a person with the audio attached.
"""

import logging

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

MAX_TRANSCRIPT = 10_000


def transcribe(*, filename: str, content_type: str, data: bytes) -> str | None:
    base = settings.TRANSCRIBE_BASE_URL
    if not base:
        return None
    headers = {}
    if settings.TRANSCRIBE_API_KEY:
        headers["Authorization"] = f"Bearer {settings.TRANSCRIBE_API_KEY}"
    try:
        response = requests.post(
            base.rstrip("/") + "/audio/transcriptions",
            data={"model": settings.TRANSCRIBE_MODEL, "response_format": "json"},
            files={"file": (filename, data, content_type)},
            headers=headers,
            timeout=settings.TRANSCRIBE_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        if response.status_code != 200:
            logger.warning("Transcription: %s answered %s", base, response.status_code)
            return None
        text = response.json().get("text")
    except (requests.RequestException, ValueError, AttributeError) as error:
        logger.warning("Transcription failed: %s", error)
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip()[:MAX_TRANSCRIPT]
