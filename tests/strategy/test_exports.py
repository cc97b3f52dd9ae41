"""Accessible exports: a tagged PDF/UA with language, title, headings and contents; Markdown with version and date."""

import re
import zlib

from django.utils import formats, timezone


def _pdf_text(content: bytes) -> bytes:
    """The PDF's objects, streams inflated (object streams hide the catalogue otherwise)."""
    chunks = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def test_pdf_is_tagged_pdf_ua_with_language_title_and_contents(v1, client):
    response = client.get("/strategie/versions/1/strategie.pdf")
    assert response.status_code == 200
    pdf = _pdf_text(response.content)
    assert b"/StructTreeRoot" in pdf
    assert b"/MarkInfo" in pdf
    assert re.search(rb"/Lang\s*\(fr\)", pdf)
    assert b"/DisplayDocTitle true" in pdf
    assert b"pdfuaid:part" in pdf
    assert b"/Outlines" in pdf
    assert b"/H2" in pdf and b"/H3" in pdf
    assert b"/Subtype /Link" in pdf or b"/Subtype/Link" in pdf  # the contents link to each section


def test_markdown_export_carries_the_version_and_its_date(v1, client):
    text = client.get("/strategie/versions/1/strategie.md").content.decode()
    assert "Version 1" in text
    # the date of the version in Paris (23:30 UTC is already the next day there)
    assert formats.date_format(timezone.localtime(v1.published_at), "DATE_FORMAT") in text
