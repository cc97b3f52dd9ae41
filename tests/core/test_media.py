"""Public uploads (MEDIA_ROOT/public/: proposal photos) are served in production too, and nothing else ever is."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    """A MEDIA_ROOT with a public photo, a private CV beside it, and a few traps."""
    settings.MEDIA_ROOT = tmp_path / "media"
    public = settings.MEDIA_ROOT / "public" / "mapvotes" / "2026" / "12"
    private = settings.MEDIA_ROOT / "private" / "volunteering" / "cv"
    public.mkdir(parents=True)
    private.mkdir(parents=True)
    (public / "photo.jpg").write_bytes(jpeg_bytes())
    (private / "cv.pdf").write_bytes(b"%PDF-1.4 CV-SECRET-CONTENT-4711")
    (settings.MEDIA_ROOT / "public" / "page.html").write_text("<script>alert(1)</script>")
    (settings.MEDIA_ROOT / "public" / ".env").write_text("SECRET=1")
    os.symlink(private / "cv.pdf", settings.MEDIA_ROOT / "public" / "cv-link.jpg")
    return settings.MEDIA_ROOT


@override_settings(DEBUG=False)
def test_a_public_photo_is_served_with_safe_headers_when_debug_is_off(client, media):
    response = client.get("/media/public/mapvotes/2026/12/photo.jpg")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (media / "public/mapvotes/2026/12/photo.jpg").read_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=2592000" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Last-Modified"]


@override_settings(DEBUG=False)
def test_an_unchanged_photo_is_not_sent_again(client, media):
    first = client.get("/media/public/mapvotes/2026/12/photo.jpg")
    again = client.get("/media/public/mapvotes/2026/12/photo.jpg", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    "path",
    [
        "/media/public/../private/volunteering/cv/cv.pdf",
        "/media/public/mapvotes/../../private/volunteering/cv/cv.pdf",
        "/media/public/%2e%2e/private/volunteering/cv/cv.pdf",
        "/media/public/..%2fprivate/volunteering/cv/cv.pdf",
        "/media/public//etc/passwd",
        "/media/public/cv-link.jpg",  # a symbolic link out of public/
        "/media/public/.env",
        "/media/private/volunteering/cv/cv.pdf",
        "/media/volunteering/cv/cv.pdf",
        "/media/public/mapvotes/2026/12/missing.jpg",
        "/media/public/mapvotes",
    ],
)
def test_nothing_outside_public_is_reachable(client, media, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"CV-SECRET-CONTENT-4711" not in response.content


@override_settings(DEBUG=False)
def test_a_file_that_is_not_an_image_is_only_ever_downloaded(client, media):
    response = client.get("/media/public/page.html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(DEBUG=False)
def test_only_reading_is_allowed(client, media):
    assert client.head("/media/public/mapvotes/2026/12/photo.jpg").status_code == 200
    assert client.post("/media/public/mapvotes/2026/12/photo.jpg").status_code == 405


@override_settings(DEBUG=False)
def test_the_photo_of_a_new_proposal_is_reachable_at_the_url_the_api_gives(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes((40, 30)), content_type="image/jpeg")
    created = client_for(UserFactory()).post(
        "/api/v1/map/proposals/",
        {
            "title": "Un banc",
            "description": "Pour se reposer.",
            "theme": "mobilite",
            "geometry": '{"type": "Point", "coordinates": [2.3522, 48.8566]}',
            "photo": photo,
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    url = created.json()["properties"]["photo"]
    assert url.startswith("/media/public/")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
