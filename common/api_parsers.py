"""The API's one parser: JSON, made safe for anything a client can send.

Its own module because DRF's APIView reads DEFAULT_PARSER_CLASSES when it is defined: a module
that imports rest_framework.views cannot also hold the parser without a circular import.
"""

from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.utils import json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, made safe for anything a client can send.

    - Nesting deep enough to exhaust the parser's recursion is a 400, not a crash.
    - JSON may spell lone UTF-16 surrogates ("\\ud800") that no database can store: a 400 here
      rather than an encoding error deep inside a query.
    (Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE never get here: Django refuses to read them, and
    the exception handler turns that into a 413.)
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            # DRF's json wrapper refuses NaN and Infinity, which are not JSON.
            data = json.loads(stream.read().decode(encoding))
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"The body is not valid JSON: {exc}") from exc
        _refuse_unencodable_strings(data)
        return data


def _refuse_unencodable_strings(data: Any) -> None:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise exceptions.ParseError(
                    "The body contains text that is not valid Unicode (a lone surrogate)."
                ) from exc
