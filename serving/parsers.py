"""What the API accepts as JSON (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]), and the checks shared with the WebSocket
consumers (serving/consumers.py): one layer, so that no text field, endpoint or socket needs its own.

Refused with a 400 and a French sentence: invalid JSON, nesting deeper than MAX_DEPTH (Python's parser raised a
RecursionError around 1,000 levels: a 500), and strings holding a NUL character or a lone UTF-16 surrogate
("\\ud800" is valid JSON but no valid text: PostgreSQL refuses NUL, and UTF-8 cannot encode a lone surrogate).
"""

import json
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status
from rest_framework.parsers import get_encoding

# GeoJSON polygons of a feature are 5 levels deep, idea needs 3: 32 leaves room and stops recursion bombs.
MAX_DEPTH = 32
_FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")

INVALID_JSON = _("The request body is not valid JSON.")
TOO_DEEP = _("The data are nested too deeply (at most %(max)d levels).")
FORBIDDEN_CHARACTER = _("The text contains a character that is not allowed (a NUL character or an invalid one).")


class JunkData(ValueError):
    """JSON that no endpoint or socket accepts: `reason` for the log (English), `message` for the user (translated)."""

    MESSAGES = {"invalid JSON": INVALID_JSON, "nesting too deep": TOO_DEEP, "forbidden character": FORBIDDEN_CHARACTER}

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.reason]) % {"max": MAX_DEPTH}


def loads(text: str | bytes):
    """json.loads, refusing what check_value refuses and turning a RecursionError into JunkData."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JunkData("nesting too deep") from None
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        raise JunkData("invalid JSON") from None
    check_value(data)
    return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python accepts them, JSON does not


def check_value(data) -> None:
    """Walk parsed JSON without recursion: raise JunkData when too deep or when a string (value or key) holds a NUL
    character or a lone surrogate."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _FORBIDDEN_CHARACTERS.search(value):
                raise JunkData("forbidden character")
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise JunkData("nesting too deep")
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's, with the checks above and Django's body size limit (DRF would read past DATA_UPLOAD_MAX_MEMORY_SIZE)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            return loads(raw.decode(encoding))
        except UnicodeDecodeError:
            raise exceptions.ParseError(INVALID_JSON) from None
        except JunkData as exc:
            raise exceptions.ParseError(exc.message) from None
