import io
import json

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mapvotes.models import Comment, Proposal, TimelineEvent, Vote
from tests.conftest import client_for
from tests.factories import MONTMARTRE, REPUBLIQUE, UserFactory, theme

from .factories import CommentFactory, ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/map/proposals/"
PARIS = "2.22,48.81,2.47,48.91"


def body(**overrides):
    data = {
        "title": "Végétaliser la place",
        "description": "Planter des arbres et installer des bancs.",
        "theme": "vegetalisation",
        "geometry": {"type": "Point", "coordinates": [2.3631, 48.8675]},
    }
    data.update(overrides)
    return data


# --- creation -----------------------------------------------------------------------------------------


def test_create_returns_feature_with_district_filled_by_server(auth_client):
    response = auth_client.post(URL, body(), format="json")
    assert response.status_code == 201, response.content
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.3631, 48.8675]}
    props = feature["properties"]
    assert props["district"] in (3, 10, 11)
    assert props["status"] == "published"
    assert props["votes_for"] == props["votes_against"] == props["comments_count"] == 0
    assert props["strategy_status"] == "new"
    proposal = Proposal.objects.get(pk=feature["id"])
    assert proposal.district.number == props["district"]
    assert proposal.timeline.filter(kind=TimelineEvent.Kind.CREATED).exists()


def test_create_line_and_polygon_store_a_representative_point_inside_paris(auth_client):
    line = {"type": "LineString", "coordinates": [[2.35, 48.85], [2.36, 48.86]]}
    polygon = {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}
    for geometry in (line, polygon):
        response = auth_client.post(URL, body(geometry=geometry), format="json")
        assert response.status_code == 201, response.content
        proposal = Proposal.objects.get(pk=response.json()["id"])
        assert proposal.geometry.geom_type == geometry["type"]
        assert proposal.point.intersects(proposal.geometry.buffer(1e-9))


def test_outside_paris_is_400_on_geometry_in_french(auth_client):
    response = auth_client.post(URL, body(geometry={"type": "Point", "coordinates": [2.12, 48.80]}), format="json")
    assert response.status_code == 400
    data = response.json()
    assert "geometry" in data["errors"]
    assert "Paris" in data["errors"]["geometry"][0]
    assert data["detail"] == "Certaines données sont invalides."
    assert not Proposal.objects.exists()


def test_error_messages_in_english_on_request(auth_client):
    response = auth_client.post(URL, body(theme="nope"), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"]["theme"] == ["Unknown theme “nope”."]


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[2.35, 48.85], [2.36, 48.86], [2.36, 48.85], [2.35, 48.86], [2.35, 48.85]]],
}
MANY = {"type": "LineString", "coordinates": [[2.33 + i * 0.00005, 48.86] for i in range(501)]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"geometry": BOW_TIE}, "geometry"),
        ({"geometry": MANY}, "geometry"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.86]]]}}, "geometry"),
        ({"geometry": {"type": "MultiPoint", "coordinates": [[2.35, 48.85]]}}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": ["a", "b"]}}, "geometry"),
        ({"geometry": "not json"}, "geometry"),
        ({"geometry": None}, "geometry"),
        ({"theme": "inconnu"}, "theme"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 141}, "title"),
        ({"title": 12}, "title"),
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_bad_input_is_400_and_nothing_saved(auth_client, overrides, field):
    response = auth_client.post(URL, body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Proposal.objects.exists()


def test_html_is_stored_as_text_and_escaped_on_pages(auth_client, client):
    response = auth_client.post(URL, body(title="<script>alert(1)</script>Bancs"), format="json")
    assert response.status_code == 201
    proposal = Proposal.objects.get()
    assert proposal.title == "<script>alert(1)</script>Bancs"
    page = client.get(proposal.get_absolute_url())
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;Bancs" in page.content


def _image_bytes(fmt="JPEG", size=(40, 30)):
    out = io.BytesIO()
    image = Image.new("RGB", size, "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    image.save(out, format=fmt, exif=exif) if fmt == "JPEG" else image.save(out, format=fmt)
    return out.getvalue()


def test_photo_is_reencoded_without_exif(auth_client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    data = body(geometry=json.dumps(body()["geometry"]))
    data["photo"] = SimpleUploadedFile("p.jpg", _image_bytes(), content_type="image/jpeg")
    response = auth_client.post(URL, data, format="multipart")
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get()
    with Image.open(proposal.photo.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("p.jpg", b"<?php echo 'not an image'; ?>", content_type="image/jpeg"),
        SimpleUploadedFile("p.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"),
    ],
    ids=["not-an-image", "over-5-MB"],
)
def test_bad_photo_is_400_and_nothing_saved(auth_client, upload, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    data = body(geometry=json.dumps(body()["geometry"]))
    data["photo"] = upload
    response = auth_client.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert "photo" in response.json()["errors"]
    assert not Proposal.objects.exists()
    assert not list(tmp_path.rglob("*.jpg"))


def test_anonymous_cannot_propose_401(api_client):
    response = api_client.post(URL, body(), format="json")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_unverified_cannot_propose_and_is_told_why(unverified):
    response = client_for(unverified).post(URL, body(), format="json")
    assert response.status_code == 403
    assert "Confirmez" in response.json()["detail"]
    assert not Proposal.objects.exists()


# --- viewport -----------------------------------------------------------------------------------------


def test_viewport_at_street_level_returns_proposal_features(api_client, proposal):
    response = api_client.get(URL, {"bbox": "2.34,48.85,2.36,48.86", "zoom": 17})
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    props = feature["properties"]
    assert {"id", "title", "theme", "district", "status", "votes_for", "votes_against", "comments_count"} <= set(props)
    assert props["id"] == proposal.pk and props["district"] == 4 and props["theme"] == "mobilite"
    assert feature["geometry"]["coordinates"] == [2.3522, 48.8566]
    assert "crs" not in data


def test_viewport_excludes_outside_bbox_hidden_and_merged(api_client, proposal):
    ProposalFactory(geometry=MONTMARTRE.clone())
    ProposalFactory(geometry=Point(2.3523, 48.8567, srid=4326), is_hidden=True, hidden_reason="Hors charte")
    ProposalFactory(geometry=Point(2.3524, 48.8567, srid=4326), merged_into=proposal)
    data = api_client.get(URL, {"bbox": "2.34,48.85,2.36,48.86", "zoom": 17}).json()
    assert [f["id"] for f in data["features"]] == [proposal.pk]


def test_viewport_below_cluster_zoom_groups_nearby_points(api_client):
    for i in range(5):
        ProposalFactory(geometry=Point(2.3522 + i * 0.0001, 48.8566, srid=4326))
    lone = ProposalFactory(geometry=MONTMARTRE.clone())
    data = api_client.get(URL, {"bbox": PARIS, "zoom": 12}).json()
    clusters = [f for f in data["features"] if f["properties"].get("cluster")]
    singles = [f for f in data["features"] if not f["properties"].get("cluster")]
    assert [c["properties"]["count"] for c in clusters] == [5]
    assert [f["id"] for f in singles] == [lone.pk]
    lon, lat = clusters[0]["geometry"]["coordinates"]
    assert 2.352 < lon < 2.353 and lat == pytest.approx(48.8566)


def test_viewport_filters_theme_district_status_and_words(api_client):
    a = ProposalFactory(title="Plus de vélos en libre-service", description="Des stations", theme=theme("mobilite"))
    b = ProposalFactory(
        title="Jardin partagé", description="Des bacs", theme=theme("vegetalisation"), geometry=REPUBLIQUE.clone()
    )
    c = ProposalFactory(title="Éclairage", description="Des lampes", theme=theme("energie"), status="retained")
    from mapvotes.services import refresh_search

    for p in (a, b, c):
        refresh_search(p.pk)

    def ids(**params):
        data = api_client.get(URL, {"bbox": PARIS, "zoom": 18, **params}).json()
        return {f["id"] for f in data["features"]}

    assert ids(theme="vegetalisation") == {b.pk}
    assert ids(theme="vegetalisation,energie") == {b.pk, c.pk}
    assert ids(district=4) == {a.pk, c.pk}
    assert ids(status="retained") == {c.pk}
    assert ids(q="velo") == {a.pk}  # accents ignored, French stemming
    assert ids(q="jardins") == {b.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "a,b,c,d"},
        {"bbox": "1,2,3"},
        {"zoom": "x"},
        {"zoom": "40"},
        {"district": "21"},
        {"status": "nope"},
        {"period": "forever"},
        {"sort": "random"},
    ],
)
def test_viewport_bad_parameters_are_400(api_client, params):
    response = api_client.get(URL, {"bbox": PARIS, "zoom": 12, **params})
    assert response.status_code == 400
    assert response.json()["errors"]


def test_viewport_bbox_corners_in_any_order_make_the_same_box(api_client, proposal):
    # The schema allows any four numbers; swapped corners are read as the box they describe (hardening II).
    straight = api_client.get(URL, {"bbox": "2.34,48.85,2.36,48.86", "zoom": 17}).json()
    swapped = api_client.get(URL, {"bbox": "2.36,48.86,2.34,48.85", "zoom": 17}).json()
    assert swapped == straight


def test_viewport_query_count_is_constant(api_client, django_assert_max_num_queries):
    for i in range(30):
        ProposalFactory(geometry=Point(2.33 + i * 0.001, 48.86, srid=4326))
    with django_assert_max_num_queries(3):
        data = api_client.get(URL, {"bbox": PARIS, "zoom": 18}).json()
    assert len(data["features"]) == 30
    with django_assert_max_num_queries(3):
        api_client.get(URL, {"bbox": PARIS, "zoom": 11})


# --- detail, votes, comments ---------------------------------------------------------------------------


def test_detail_is_a_feature_with_my_vote(auth_client, resident, proposal):
    VoteFactory(user=resident, proposal=proposal, value="against")
    feature = auth_client.get(f"{URL}{proposal.pk}/").json()
    assert feature["type"] == "Feature" and feature["id"] == proposal.pk
    assert feature["properties"]["my_vote"] == "against"


def test_detail_unknown_is_404_json(api_client):
    response = api_client.get(f"{URL}999999/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_vote_then_repeat_changes_nothing_then_change_then_withdraw(auth_client, proposal):
    url = f"{URL}{proposal.pk}/vote/"
    assert auth_client.put(url, {"value": "for"}, format="json").json() == {
        "votes_for": 1,
        "votes_against": 0,
        "my_vote": "for",
    }
    assert auth_client.put(url, {"value": "for"}, format="json").json()["votes_for"] == 1
    assert Vote.objects.count() == 1
    assert auth_client.put(url, {"value": "against"}, format="json").json() == {
        "votes_for": 0,
        "votes_against": 1,
        "my_vote": "against",
    }
    assert auth_client.delete(url).json() == {"votes_for": 0, "votes_against": 0, "my_vote": None}
    assert auth_client.delete(url).json()["votes_against"] == 0
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", ["pour", "", None, 1, "FOR"])
def test_vote_value_other_than_for_against_is_400(auth_client, proposal, value):
    response = auth_client.put(f"{URL}{proposal.pk}/vote/", {"value": value}, format="json")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]
    assert not Vote.objects.exists()


def test_vote_on_hidden_proposal_is_400(auth_client):
    hidden = ProposalFactory(is_hidden=True, hidden_reason="Propos injurieux")
    response = auth_client.put(f"{URL}{hidden.pk}/vote/", {"value": "for"}, format="json")
    assert response.status_code == 400
    assert "masquée" in response.json()["errors"]["proposal"][0]
    assert not Vote.objects.exists()


def test_vote_on_unknown_proposal_is_404(auth_client):
    assert auth_client.put(f"{URL}424242/vote/", {"value": "for"}, format="json").status_code == 404


def test_vote_refused_to_anonymous_and_unverified(api_client, unverified, proposal):
    url = f"{URL}{proposal.pk}/vote/"
    assert api_client.put(url, {"value": "for"}, format="json").status_code == 401
    response = client_for(unverified).put(url, {"value": "for"}, format="json")
    assert response.status_code == 403
    assert "e-mail" in response.json()["detail"]
    assert not Vote.objects.exists()


def test_comments_post_and_list(auth_client, api_client, proposal):
    response = auth_client.post(f"{URL}{proposal.pk}/comments/", {"body": "Oui !", "stance": "for"}, format="json")
    assert response.status_code == 201
    assert response.json()["body"] == "Oui !"
    listing = api_client.get(f"{URL}{proposal.pk}/comments/").json()
    assert listing["count"] == 1 and listing["results"][0]["stance"] == "for"
    proposal.refresh_from_db()
    assert proposal.comments_count == 1


@pytest.mark.parametrize("data", [{"body": ""}, {"body": "x" * 2001}, {"body": "ok", "stance": "maybe"}, {}])
def test_bad_comment_is_400(auth_client, proposal, data):
    response = auth_client.post(f"{URL}{proposal.pk}/comments/", data, format="json")
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_comments_list_query_count(api_client, proposal, django_assert_max_num_queries):
    CommentFactory.create_batch(15, proposal=proposal)
    with django_assert_max_num_queries(4):
        assert api_client.get(f"{URL}{proposal.pk}/comments/").json()["count"] == 15


def test_report_proposal(auth_client, proposal):
    from core.models import Report

    assert auth_client.post(f"{URL}{proposal.pk}/report/", {"reason": ""}, format="json").status_code == 400
    assert auth_client.post(f"{URL}{proposal.pk}/report/", {"reason": "Doublon"}, format="json").status_code == 201
    assert Report.objects.get().reason == "Doublon"


# --- open data ----------------------------------------------------------------------------------------


def test_export_geojson_is_rfc7946_with_counts(api_client, proposal):
    ProposalFactory(is_hidden=True, hidden_reason="x")
    ProposalFactory(geometry=LineString((2.35, 48.85), (2.36, 48.86), srid=4326))
    VoteFactory(proposal=proposal)
    from mapvotes.services import recount

    recount(proposal.pk)
    response = api_client.get("/api/v1/map/export.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(b"".join(response.streaming_content))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert len(data["features"]) == 2
    first = data["features"][0]
    assert first["properties"]["votes_for"] == 1 and first["properties"]["district"] == 4
    assert first["geometry"]["coordinates"] == [2.3522, 48.8566]


def test_export_csv_has_counts_and_defuses_formulas(api_client):
    ProposalFactory(title="=HYPERLINK(1)")
    response = api_client.get("/api/v1/map/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("id,title,theme,district,quartier,status,votes_for,votes_against")
    assert "'=HYPERLINK(1)" in lines[1]


def test_similar_nearby_titles_are_offered(api_client, proposal):
    ProposalFactory(title="Piste cyclable rue de Rivoli", geometry=MONTMARTRE.clone())  # far away
    response = api_client.get(
        f"{URL}similar/", {"lon": 2.3525, "lat": 48.8567, "title": "piste cyclable sur la rue de Rivoli"}
    )
    assert [r["id"] for r in response.json()["results"]] == [proposal.pk]


def test_openapi_schema_documents_the_map(api_client):
    response = api_client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/map/proposals/" in paths and "/api/v1/map/proposals/{id}/vote/" in paths


def test_users_made_by_factory_are_used(db):
    assert UserFactory().email_verified


@pytest.mark.parametrize("lon,lat", [("nan", "48.85"), ("inf", "48.85"), ("2.35", "-inf"), ("500", "48.85")])
def test_similar_refuses_coordinates_that_are_not_degrees(api_client, lon, lat):
    response = api_client.get(f"/api/v1/map/proposals/similar/?lon={lon}&lat={lat}&title=Piste")
    assert response.status_code == 400
    assert "lon" in response.json()["errors"]
