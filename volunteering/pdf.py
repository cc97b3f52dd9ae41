"""Active content in a PDF CV: JavaScript, automatic actions, launched programs, embedded files.

An organisation's staff open applicants' CVs; a CV that runs a script or a program when opened is refused. The scan
reads the file as a PDF reader would tokenise it: names are compared after decoding `#xx` escapes (`/J#53` is
`/JS`), text inside strings and comments does not count (a CV may mention "HTML/JS"), ordinary content streams
(page text, images, fonts) are skipped, and object streams — where dictionaries can hide, compressed — are
inflated and scanned too. An object stream we cannot read (another filter, a predictor, a broken or oversized
stream) is refused rather than trusted.
"""

import re
import zlib

# Names whose presence means a reader may run something: scripts (/JS, /JavaScript), actions run on opening or on
# events (/AA: additional actions; an /OpenAction running a script names /JavaScript or /Launch), programs
# (/Launch), attachments (/EmbeddedFile, /EmbeddedFiles), Flash/3D media and XFA forms, which carry scripts.
ACTIVE_NAMES = frozenset(
    {b"JS", b"JavaScript", b"AA", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
)
MAX_INFLATED = 50 * 1024 * 1024  # a 5 MB upload inflating beyond this is a bomb, not a CV

WHITESPACE = b"\x00\t\n\x0c\r "
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class Unreadable(Exception):
    """A part of the file that may hold dictionaries cannot be inspected."""


def _decode_name(raw: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _skip_string(data: bytes, i: int) -> int:
    """Index after the literal string starting at data[i] == '(' (nested parentheses, backslash escapes)."""
    depth = 0
    n = len(data)
    while i < n:
        c = data[i]
        if c == 0x5C:  # backslash: the next byte is escaped
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _stream_end(data: bytes, start: int, length) -> int:
    """Where the stream body starting at `start` ends: its /Length when that lands on `endstream`, else the next
    `endstream` keyword (what lenient readers do)."""
    if isinstance(length, int) and 0 <= length <= len(data) - start:
        after = data[start + length : start + length + 32].lstrip(WHITESPACE)
        if after.startswith(b"endstream"):
            return start + length
    end = data.find(b"endstream", start)
    return len(data) if end < 0 else end


def _inflate(body: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(body, MAX_INFLATED)
    except zlib.error:
        raise Unreadable from None
    if inflater.unconsumed_tail:
        raise Unreadable  # beyond MAX_INFLATED
    return out


def _object_stream(dictionary: list, body: bytes, depth: int) -> bool:
    """Scan an object stream's objects; True when they hold an active name."""
    filters = _value(dictionary, b"Filter")
    if filters is None:
        filters = []
    elif not isinstance(filters, list):
        filters = [filters]
    if filters not in ([], [("name", b"FlateDecode")], [("name", b"Fl")]) or _value(dictionary, b"DecodeParms"):
        raise Unreadable
    if filters:
        body = _inflate(body)
    return _scan(body, depth + 1)


def _value(dictionary: list, key: bytes):
    """The token after /key in a flat token list of one dictionary (an array as a list of tokens)."""
    for index, token in enumerate(dictionary[:-1]):
        if token == ("name", key):
            following = dictionary[index + 1]
            if following == ("[",):
                end = dictionary.index(("]",), index + 1) if ("]",) in dictionary[index + 1 :] else len(dictionary)
                return [t for t in dictionary[index + 2 : end] if t[0] == "name"]
            return following
    return None


_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]+"  # whitespace
    rb"|%[^\r\n]*"  # comment
    rb"|<<|>>"
    rb"|<[^>]*>?"  # hex string
    rb"|/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*"  # name
    rb"|[\[\]{})>]"
    rb"|\("  # literal string, skipped by _skip_string
    rb"|[^\x00\t\n\x0c\r ()<>\[\]{}/%]+"  # number, keyword
)


def _scan(data: bytes, depth: int = 0) -> bool:
    """True when `data` (a whole file, or the inside of an object stream) names active content."""
    if depth > 1:  # object streams do not nest; deeper means a crafted file
        raise Unreadable
    i, n = 0, len(data)
    nesting = 0  # depth of << >> dictionaries
    current: list = []  # tokens of the outermost dictionary being read
    last_dictionary: list = []
    while i < n:
        match = _TOKEN.match(data, i)
        token = match.group()
        first = token[:1]
        i = match.end()
        if first in WHITESPACE or first == b"%" or token in (b"{", b"}", b")", b">"):
            continue
        if token == b"(":
            i = _skip_string(data, i - 1)
            if nesting:
                current.append(("string",))
        elif token == b"<<":
            nesting += 1
            if nesting == 1:
                current = []
        elif token == b">>":
            nesting = max(0, nesting - 1)
            if nesting == 0:
                last_dictionary = current
        elif first == b"<":
            if nesting:
                current.append(("string",))
        elif first == b"/":
            name = _decode_name(token[1:])
            if name in ACTIVE_NAMES:
                return True
            if nesting:
                current.append(("name", name))
        elif first in b"[]":
            if nesting:
                current.append((token.decode(),))
        elif token == b"stream" and not nesting:
            i += 2 if data.startswith(b"\r\n", i) else 1 if data[i : i + 1] in (b"\n", b"\r") else 0
            end = _stream_end(data, i, _direct_length(last_dictionary))
            if _value(last_dictionary, b"Type") == ("name", b"ObjStm") and _object_stream(
                last_dictionary, data[i:end], depth
            ):
                return True
            last_dictionary = []
            i = end
        elif nesting:
            current.append(("number", token) if token.isdigit() else ("word", token))
    return False


def _direct_length(dictionary: list):
    """/Length when it is a number written in the dictionary (not `12 0 R`, an indirect reference)."""
    for index, token in enumerate(dictionary[:-1]):
        if token == ("name", b"Length"):
            following = dictionary[index + 1 : index + 4]
            if following[0][0] == "number" and not (len(following) == 3 and following[2] == ("word", b"R")):
                return int(following[0][1])
            return None
    return None


def has_active_content(data: bytes) -> bool:
    """True when the PDF holds (or may hide, in an unreadable object stream) scripts, actions or attachments."""
    try:
        return _scan(data)
    except Unreadable:
        return True
    except (RecursionError, ValueError, IndexError):
        return True
