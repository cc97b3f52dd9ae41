"""Pictures of an idea: uploaded by its holder with a description, re-encoded without metadata, shown publicly."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from ideas.models import MAX_IMAGES, Idea, IdeaImage
from tests.factories import UserFactory
from tests.ideas.factories import idea_form_data

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo(name="toit.jpg", *, with_gps=True, fmt="JPEG"):
    out = io.BytesIO()
    image = Image.new("RGB", (64, 48), "teal")
    if with_gps and fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "Appareil de Camille"  # camera make
        exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 30.0)}
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_holder_adds_a_picture_that_loses_its_metadata_and_is_served_publicly(holder, idea, media):
    response = api(holder).post(
        f"/api/v1/ideas/{idea.pk}/images/", {"image": photo(), "alt": "Le toit de l'école, vu de la cour"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["alt"] == "Le toit de l'école, vu de la cour"
    assert body["url"].startswith("/media/public/ideas/")
    stored = IdeaImage.objects.get(pk=body["id"])
    with Image.open(stored.image.path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no camera, no GPS position
    public = Client().get(body["url"])
    assert public.status_code == 200 and public["Content-Type"] == "image/jpeg"
    listed = Client().get(f"/api/v1/ideas/{idea.pk}/").json()["images"]
    assert listed == [body]
    page = Client().get(f"/idees/{idea.pk}/").content.decode()
    assert 'alt="Le toit de l&#x27;école, vu de la cour"' in page


@pytest.mark.parametrize(
    ("upload", "alt", "field", "message"),
    [
        (lambda: photo(), "", "alt", "Décrivez l'image"),
        (
            lambda: SimpleUploadedFile("faux.jpg", b"%PDF-1.4 pas une image", content_type="image/jpeg"),
            "Un toit",
            "image",
            "n'est pas une image",
        ),
        (lambda: SimpleUploadedFile("vide.png", b"", content_type="image/png"), "Un toit", "image", ""),
    ],
    ids=["no-description", "not-an-image", "empty-file"],
)
def test_bad_pictures_are_refused_clearly_and_nothing_is_stored(holder, idea, media, upload, alt, field, message):
    response = api(holder).post(f"/api/v1/ideas/{idea.pk}/images/", {"image": upload(), "alt": alt})
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert message in " ".join(response.json()["errors"][field])
    assert not IdeaImage.objects.exists()
    assert not list((media / "public").rglob("*.jpg")) if (media / "public").exists() else True


def test_only_the_holder_adds_or_removes_pictures_and_at_most_six(
    holder, idea, media, django_capture_on_commit_callbacks
):
    stranger = api(UserFactory())
    assert stranger.post(f"/api/v1/ideas/{idea.pk}/images/", {"image": photo(), "alt": "Intrus"}).status_code == 403
    assert APIClient().post(f"/api/v1/ideas/{idea.pk}/images/", {"image": photo(), "alt": "x"}).status_code == 401
    client = api(holder)
    ids = [
        client.post(f"/api/v1/ideas/{idea.pk}/images/", {"image": photo(), "alt": f"Vue {n}"}).json()["id"]
        for n in range(MAX_IMAGES)
    ]
    seventh = client.post(f"/api/v1/ideas/{idea.pk}/images/", {"image": photo(), "alt": "Une de trop"})
    assert seventh.status_code == 400 and "6 images" in seventh.json()["errors"]["image"][0]

    image = IdeaImage.objects.get(pk=ids[0])
    path = image.image.path
    assert stranger.delete(f"/api/v1/ideas/{idea.pk}/images/{ids[0]}/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/ideas/{idea.pk}/images/{ids[0]}/").status_code == 204
    assert not IdeaImage.objects.filter(pk=ids[0]).exists()
    import os

    assert not os.path.exists(path)


def test_an_idea_is_published_with_its_first_picture_from_the_form(db, media):
    client = Client()
    client.force_login(UserFactory())
    without_alt = client.post("/idees/nouvelle/", idea_form_data(image=photo()))
    assert without_alt.status_code == 200
    assert "Décrivez l'image" in html.unescape(without_alt.content.decode())
    assert not Idea.objects.exists()  # nothing half-saved

    response = client.post(
        "/idees/nouvelle/", idea_form_data(image=photo(), image_alt="La boîte à livres peinte en bleu")
    )
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert [i.alt for i in idea.images.all()] == ["La boîte à livres peinte en bleu"]


def test_the_holder_manages_pictures_from_the_idea_page(holder, idea, media):
    client = Client()
    client.force_login(holder)
    page = client.get(f"/idees/{idea.pk}/").content.decode()
    assert "Ajouter une image" in page
    client.post(f"/idees/{idea.pk}/images/", {"image": photo(), "alt": "Le square au printemps"})
    image = idea.images.get()
    assert "Retirer l'image « Le square au printemps »" in html.unescape(
        client.get(f"/idees/{idea.pk}/").content.decode()
    )
    client.post(f"/idees/{idea.pk}/images/{image.pk}/supprimer/")
    assert not idea.images.exists()
    assert "Ajouter une image" not in Client().get(f"/idees/{idea.pk}/").content.decode()
