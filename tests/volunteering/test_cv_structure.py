"""The structure check of CVs, at its edges: a PDF header at the very start, an object, and the cross-reference
pointer and end-of-file marker within the last 2048 bytes; at most 5 MB, to the byte."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.volunteering.factories import MINIMAL_PDF
from volunteering.services import MAX_CV_BYTES, validate_cv

BODY, TRAILER = MINIMAL_PDF.split(b"startxref")
TRAILER = b"startxref" + TRAILER  # b"startxref\n110\n%%EOF\n"
TAIL = 2048  # how far from the end the trailer is looked for


REASONS = {"Le CV doit être un fichier PDF.": "not_pdf", "Le CV est trop lourd\xa0: le maximum est de 5 Mo.": "too_big"}


def verdict(content: bytes) -> str:
    try:
        validate_cv(SimpleUploadedFile("cv.pdf", content, content_type="application/pdf"))
    except ValidationError as refused:
        (message,) = refused.message_dict["cv"]
        return REASONS[message]
    return "accepted"


def with_trailing_bytes(count: int) -> bytes:
    """The minimal PDF followed by `count` bytes after its end-of-file marker (writers add a few; here many)."""
    return MINIMAL_PDF + b"\n" * count


# The trailer (startxref … %%EOF) must end within the last 2048 bytes: its first byte at -2048 is in, at -2049 out.
TRAILER_ROOM = TAIL - len(TRAILER)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (MINIMAL_PDF, "accepted"),
        (MINIMAL_PDF.replace(b"%PDF-1.4", b"%PDF-2.0"), "accepted"),
        (MINIMAL_PDF.replace(b"%PDF-1.4", b"%PDF-1.7 "), "accepted"),
        # the header: at byte 0, with a major and a minor version
        (b" " + MINIMAL_PDF, "not_pdf"),
        (b"\xef\xbb\xbf" + MINIMAL_PDF, "not_pdf"),  # a byte-order mark in front
        (MINIMAL_PDF.replace(b"%PDF-1.4", b"%PDF-1"), "not_pdf"),
        (MINIMAL_PDF.replace(b"%PDF-1.4", b"%PDF-.4"), "not_pdf"),
        (MINIMAL_PDF.replace(b"%PDF-1.4", b"%pdf-1.4"), "not_pdf"),
        # at least one numbered object
        (MINIMAL_PDF.replace(b" 0 obj", b" 0 object"), "not_pdf"),
        (MINIMAL_PDF.replace(b" 0 obj", b" obj"), "not_pdf"),
        (MINIMAL_PDF.replace(b"2 0 obj", b"2 0 xbj"), "accepted"),  # one object is enough
        # the cross-reference pointer and the end-of-file marker, both
        (MINIMAL_PDF.replace(b"startxref", b"xref"), "not_pdf"),
        (MINIMAL_PDF.replace(b"%%EOF", b"%%EO"), "not_pdf"),
        (BODY, "not_pdf"),  # cut before its trailer
        (MINIMAL_PDF[:-3], "not_pdf"),  # cut in the middle of %%EOF
        (with_trailing_bytes(TRAILER_ROOM), "accepted"),
        (with_trailing_bytes(TRAILER_ROOM + 1), "not_pdf"),  # the pointer starts one byte too early
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_the_structure_check_at_its_edges(content, expected):
    assert verdict(content) == expected


def padded_to(size: int) -> bytes:
    """A valid PDF of exactly `size` bytes: a comment line after the header fills it."""
    header, rest = MINIMAL_PDF.split(b"\n", 1)
    filler = size - len(MINIMAL_PDF) - 2
    return header + b"\n%" + b"x" * filler + b"\n" + rest


@pytest.mark.parametrize(("size", "expected"), [(MAX_CV_BYTES - 1, "accepted"), (MAX_CV_BYTES, "accepted")])
def test_a_cv_of_up_to_exactly_5_mb_is_accepted(size, expected):
    content = padded_to(size)
    assert len(content) == size
    assert verdict(content) == expected


def test_a_cv_one_byte_over_5_mb_is_refused_as_too_big():
    content = padded_to(MAX_CV_BYTES + 1)
    assert verdict(content) == "too_big"
    assert MAX_CV_BYTES == 5 * 1024 * 1024
