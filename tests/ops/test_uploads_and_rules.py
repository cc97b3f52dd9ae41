"""Hardening II, "smaller, same rule": one named rule for a page and its API (matches), uploads that carry no hidden
text (image metadata) and no active content (PDF CVs)."""

import io
import struct
import zlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image, PngImagePlugin
from rest_framework.test import APIClient

from core import images
from ideas.models import IdeaImage
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory
from tests.ideas.factories import make_idea, make_partner
from tests.volunteering.factories import MINIMAL_PDF, MissionFactory
from volunteering.models import Application

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    if user.is_authenticated:
        client.force_authenticate(user)
    return client


# --- One rule for the page and the API: matches -----------------------------------------------------------------


@pytest.fixture
def cast(db):
    holder = UserFactory(email="porteuse@example.org")
    idea = make_idea(holder)
    partner, partner_member = make_partner(name="Énergies Citoyennes Paris", offers=("funding", "place"))
    return {
        "idea": idea,
        "partner": partner,
        "users": {
            "anonymous": AnonymousUser(),
            "resident": UserFactory(email="habitant@example.org"),
            "other_org_member": MembershipFactory(
                organization=OrganizationFactory(name="Autre asso"), user=UserFactory(email="autre@example.org")
            ).user,
            "holder": holder,
            "partner_member": partner_member,
            "team": TeamUserFactory(email="equipe@paris.fr"),
        },
    }


PARTNER_MATCHES = {  # who: (status, has the named rule)
    "anonymous": (401, False),
    "resident": (403, False),
    "other_org_member": (403, False),
    "holder": (403, False),
    "partner_member": (200, True),
    "team": (200, True),
}


@pytest.mark.parametrize("who", sorted(PARTNER_MATCHES))
def test_a_partners_matches_are_for_its_members_and_the_team_in_the_api_as_in_the_rule(cast, who):
    user, partner = cast["users"][who], cast["partner"]
    status, allowed = PARTNER_MATCHES[who]
    assert user.has_perm("ideas.view_partner_matches", partner) is allowed
    response = _client(user).get(f"/api/v1/partners/{partner.pk}/matches/")
    assert response.status_code == status, response.content
    if status == 200:
        assert [m["idea"]["id"] for m in response.json()["results"]] == [cast["idea"].pk]
    else:
        assert response.json()["detail"]  # a French sentence, no idea leaked
        assert "results" not in response.json()


def test_the_suggestions_page_shows_a_partner_member_their_own_matches_only(cast):
    client = Client()
    client.force_login(cast["users"]["partner_member"])
    page = client.get(reverse("ideas:suggestions"))
    assert page.status_code == 200
    assert cast["idea"].title in page.content.decode()
    assert Client().get(reverse("ideas:suggestions")).status_code == 302  # to the log-in page


@pytest.mark.parametrize("who", ["anonymous", "resident", "partner_member", "holder", "team"])
def test_a_public_ideas_matches_follow_the_view_matches_rule(cast, who):
    user, idea = cast["users"][who], cast["idea"]
    assert user.has_perm("ideas.view_matches", idea)
    response = _client(user).get(f"/api/v1/ideas/{idea.pk}/matches/")
    assert response.status_code == 200
    assert [m["partner"]["id"] for m in response.json()["results"]] == [cast["partner"].pk]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 404), ("resident", 404), ("holder", 200), ("team", 200)])
def test_a_hidden_ideas_matches_are_for_its_holder_and_the_team(cast, who, status):
    idea = cast["idea"]
    type(idea).objects.filter(pk=idea.pk).update(is_hidden=True)
    idea.refresh_from_db()
    user = cast["users"][who]
    assert user.has_perm("ideas.view_matches", idea) is (status == 200)
    assert _client(user).get(f"/api/v1/ideas/{idea.pk}/matches/").status_code == status


# --- Images: pixels only ---------------------------------------------------------------------------------------

SCRIPT = b"<script>alert(document.cookie)</script>"
# What a baseline JPEG needs: SOI, APP0 (JFIF), DQT, SOF0/SOF2, DHT, DRI, SOS, EOI. No COM, no other APPn.
JPEG_NEEDED = {0xD8, 0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA, 0xD9}


def _jpeg_markers(data: bytes) -> list[int]:
    assert data[:2] == b"\xff\xd8"
    markers, i = [0xD8], 2
    while i < len(data):
        assert data[i] == 0xFF, f"no marker at {i}"
        marker = data[i + 1]
        markers.append(marker)
        if marker == 0xDA:  # the scan runs to EOI
            return [*markers, 0xD9]
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        i += 2 + length
    return markers


def _app_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_everything() -> bytes:
    """A JPEG with a COM segment holding HTML, EXIF (GPS), XMP, an ICC profile and IPTC (APP13)."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Appareil de Camille"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 30.0)}
    Image.new("RGB", (64, 48), "teal").save(
        out, format="JPEG", comment=SCRIPT, exif=exif, icc_profile=b"\x00" * 128, xmp=b"<x:xmpmeta>" + SCRIPT
    )
    data = out.getvalue()
    iptc = _app_segment(0xED, b"Photoshop 3.0\x00" + SCRIPT)
    return data[:2] + iptc + data[2:]


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_itxt("Description", SCRIPT.decode() + " déjà")
    info.add_text("Author", SCRIPT.decode(), zip=True)  # zTXt
    out = io.BytesIO()
    Image.new("RGBA", (64, 48), (0, 128, 128, 200)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def webp_with_metadata() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = SCRIPT.decode()
    Image.new("RGB", (64, 48), "teal").save(out, format="WEBP", exif=exif, xmp=SCRIPT)
    return out.getvalue()


def gif_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("P", (64, 48), 3).save(out, format="GIF", comment=SCRIPT)
    return out.getvalue()


def _assert_pixels_only(data: bytes):
    assert b"script" not in data.lower()
    assert b"Camille" not in data and b"Exif" not in data and b"xmpmeta" not in data
    assert set(_jpeg_markers(data)) <= JPEG_NEEDED
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif() and "comment" not in image.info and "icc_profile" not in image.info


def test_the_upload_samples_do_carry_the_metadata():
    assert SCRIPT in jpeg_with_everything() and b"Exif" in jpeg_with_everything()
    assert 0xFE in _jpeg_markers(jpeg_with_everything())  # COM
    assert b"tEXt" in png_with_text() and b"iTXt" in png_with_text() and b"zTXt" in png_with_text()
    assert SCRIPT in gif_with_comment() and SCRIPT in webp_with_metadata()


@pytest.mark.parametrize(("name", "build"), [("photo.jpg", jpeg_with_everything), ("plan.png", png_with_text)])
def test_a_stored_idea_picture_has_no_comment_no_text_chunk_no_metadata(settings, tmp_path, name, build):
    settings.MEDIA_ROOT = tmp_path
    holder = UserFactory(email="porteuse2@example.org")
    idea = make_idea(holder)
    upload = SimpleUploadedFile(name, build(), content_type="application/octet-stream")
    response = _client(holder).post(f"/api/v1/ideas/{idea.pk}/images/", {"image": upload, "alt": "Le toit"})
    assert response.status_code == 201, response.content
    stored = IdeaImage.objects.get(pk=response.json()["id"])
    with stored.image.open("rb") as handle:
        _assert_pixels_only(handle.read())


@pytest.mark.parametrize("build", [jpeg_with_everything, png_with_text, webp_with_metadata, gif_with_comment])
def test_every_accepted_format_is_reencoded_to_pixels_only(build):
    upload = SimpleUploadedFile("x", build())
    _assert_pixels_only(images.reencode(upload).read())


def test_a_transparent_png_is_flattened_on_white_and_a_rotated_photo_stays_upright():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, format="PNG")
    clean = images.reencode(SimpleUploadedFile("t.png", out.getvalue()))
    with Image.open(clean) as image:
        assert min(image.getpixel((5, 5))) > 240
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    Image.new("RGB", (64, 48), "teal").save(out, format="JPEG", exif=exif)
    with Image.open(images.reencode(SimpleUploadedFile("r.jpg", out.getvalue()))) as image:
        assert image.size == (48, 64)


# --- CVs: no active content ------------------------------------------------------------------------------------


def build_pdf(*objects: bytes, root_extra: bytes = b"") -> bytes:
    """A small PDF: a catalog (with `root_extra`), an empty page tree, then `objects` numbered from 3."""
    bodies = [b"<< /Type /Catalog /Pages 2 0 R " + root_extra + b" >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    bodies += list(objects)
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref))
    return out.getvalue()


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def object_stream(*objects: bytes, compress=True, extra=b"") -> bytes:
    """An object stream holding `objects` (numbered from 10), Flate-compressed unless told otherwise."""
    header, body = [], b""
    for number, obj in enumerate(objects, start=10):
        header.append(b"%d %d" % (number, len(body)))
        body += obj + b"\n"
    head = b" ".join(header) + b"\n"
    data = head + body
    filters = b""
    if compress:
        data = zlib.compress(data)
        filters = b"/Filter /FlateDecode "
    return stream(b"/Type /ObjStm /N %d /First %d " % (len(objects), len(head)) + filters + extra, data)


JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\('bonjour'\\)) >>"
ACTIVE = {
    "open action running a script": build_pdf(root_extra=b"/OpenAction " + JS_ACTION),
    "open action to a script object": build_pdf(JS_ACTION, root_extra=b"/OpenAction 3 0 R"),
    "script in a stream": build_pdf(
        stream(b"", b"app.alert(1)"), root_extra=b"/OpenAction << /S /JavaScript /JS 3 0 R >>"
    ),
    "named javascript tree": build_pdf(root_extra=b"/Names << /JavaScript << /Names [(a) 3 0 R] >> >>"),
    "additional actions": build_pdf(root_extra=b"/AA << /WC << /S /GoTo /D [0 /Fit] >> >>"),
    "launch": build_pdf(root_extra=b"/OpenAction << /S /Launch /F (calc.exe) >>"),
    "embedded file": build_pdf(
        stream(b"/Type /EmbeddedFile", b"MZ\x90\x00"),
        root_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) << /EF << /F 3 0 R >> >>] >> >>",
    ),
    "hex-escaped names": build_pdf(root_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
    "hex-escaped additional actions": build_pdf(root_extra=b"/#41#41 << /O 3 0 R >>"),
    "script in a compressed object stream": build_pdf(object_stream(JS_ACTION), root_extra=b"/OpenAction 10 0 R"),
    "escaped names in an object stream": build_pdf(
        object_stream(b"<< /S /JavaScri#70t /J#53 (x) >>"), root_extra=b"/OpenAction 10 0 R"
    ),
    "script in a plain object stream": build_pdf(object_stream(JS_ACTION, compress=False)),
    "object stream with an obfuscated type": build_pdf(
        stream(b"/Type /Obj#53tm /N 1 /First 5 /Filter /FlateDecode", zlib.compress(b"10 0\n" + JS_ACTION))
    ),
    "object stream we cannot read": build_pdf(
        stream(b"/Type /ObjStm /N 1 /First 5 /Filter /LZWDecode", b"\x80\x0b\x60\x50\x22")
    ),
    "object stream with a predictor": build_pdf(object_stream(b"<< >>", extra=b"/DecodeParms << /Predictor 12 >>")),
    "broken object stream": build_pdf(stream(b"/Type /ObjStm /N 1 /First 5 /Filter /FlateDecode", b"not zlib")),
}
HARMLESS = {
    "minimal": MINIMAL_PDF,
    "open action to a page": build_pdf(root_extra=b"/OpenAction [2 0 R /Fit]"),
    "text mentioning /JS": build_pdf(
        stream(b"", b"BT /F1 12 Tf (Comp\\351tences : HTML/JS, /JavaScript, /AA) Tj ET"),
        b"<< /Title (D\\351veloppeuse /JS) /Subject <2F4A53> >>",
    ),
    "a comment naming /JS": build_pdf(b"<< /Producer (Participe) >> % /JS (ignored by readers)"),
    "compressed page text": build_pdf(
        stream(b"/Filter /FlateDecode", zlib.compress(b"BT (/JS /Launch) Tj ET /JS")),
        object_stream(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", b"(/JS in a string)"),
    ),
    "binary stream": build_pdf(stream(b"/Subtype /Image /Filter /DCTDecode", bytes(range(256)) * 4)),
}


def _apply_with(cv: bytes):
    volunteer = UserFactory(email="benevole@example.org")
    mission = MissionFactory()
    return _client(volunteer).post(
        f"/api/v1/volunteering/missions/{mission.pk}/applications/",
        {"message": "Bonjour", "cv": SimpleUploadedFile("cv.pdf", cv, content_type="application/pdf")},
        format="multipart",
    )


@pytest.mark.parametrize("case", sorted(ACTIVE))
def test_a_cv_with_scripts_actions_or_attachments_is_refused_in_french(case):
    response = _apply_with(ACTIVE[case])
    assert response.status_code == 400, response.content
    assert "script" in response.json()["errors"]["cv"][0]
    assert "PDF" in response.json()["errors"]["cv"][0]
    assert not Application.objects.exists()


@pytest.mark.parametrize("case", sorted(HARMLESS))
def test_an_ordinary_cv_is_accepted(case):
    response = _apply_with(HARMLESS[case])
    assert response.status_code == 201, response.content
    assert response.json()["has_cv"] is True
