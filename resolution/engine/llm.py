"""Optional large-language-model provider, off unless configured.

The desk must work without it, so every failure (network, timeout, bad status, odd JSON)
turns into ``None`` and a logged warning: the caller then escalates with ``no_answer``.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol, runtime_checkable

import requests

logger = logging.getLogger(__name__)


@runtime_checkable
class LLMProvider(Protocol):
    def generate(self, prompt: str, *, system: str) -> str | None:
        """The model's reply, or None when there is none (disabled, failed, empty)."""
        ...


class DisabledLLM:
    """The default provider: never answers."""

    def generate(self, prompt: str, *, system: str) -> str | None:
        return None

    def __repr__(self) -> str:
        return "DisabledLLM()"


# Requests run on a small shared pool so the caller can stop waiting at the deadline even
# when the socket-level timeouts would let a trickling server hold it longer (requests'
# timeout bounds each connect/read, not the whole call, and not DNS).
_POOL_SIZE = 4
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _pool_lock:
        # A pool inherited through fork (Celery prefork, gunicorn preload) has no threads.
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=_POOL_SIZE, thread_name_prefix="llm")
            _pool_pid = os.getpid()
        return _pool


class OpenAICompatibleLLM:
    """Chat completions on any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp…)."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = float(timeout)
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"

    def __repr__(self) -> str:
        # Never the key.
        return f"OpenAICompatibleLLM(url={self.url!r}, model={self.model!r})"

    def generate(self, prompt: str, *, system: str) -> str | None:
        payload = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": prompt},
            ],
            "temperature": 0.2,
        }
        try:
            future = _executor().submit(self._post, payload)
        except RuntimeError:  # interpreter shutting down
            return None
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            logger.warning("LLM %s: no reply within %.1fs", self.url, self.timeout)
            return None
        except Exception:  # _post handles its own errors; this is a last guard
            logger.warning("LLM %s: unexpected failure", self.url, exc_info=True)
            return None

    def _post(self, payload: dict) -> str | None:
        try:
            response = requests.post(
                self.url, json=payload, headers=self._headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            logger.warning("LLM %s: request failed: %s", self.url, type(exc).__name__)
            return None
        if response.status_code != 200:
            logger.warning("LLM %s: HTTP %s", self.url, response.status_code)
            return None
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            logger.warning("LLM %s: malformed response body", self.url)
            return None
        if not isinstance(content, str) or not content.strip():
            logger.warning("LLM %s: empty or non-text content", self.url)
            return None
        return content.strip()


def llm_from_settings(
    base_url: str | None, model: str | None, api_key: str | None = "", timeout: float = 10.0
) -> LLMProvider:
    """The configured provider; ``DisabledLLM`` unless both a base URL and a model are set."""
    base_url = (base_url or "").strip()
    model = (model or "").strip()
    if not base_url or not model:
        return DisabledLLM()
    return OpenAICompatibleLLM(base_url, model, (api_key or "").strip(), timeout)
