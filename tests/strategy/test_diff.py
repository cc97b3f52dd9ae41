from strategy.diff import document_diff, render_ops, word_diff


class S:
    def __init__(self, slug, title, body):
        self.slug, self.title, self.body = slug, title, body


def test_word_diff_keeps_unchanged_words_and_marks_changes():
    ops = word_diff("Planter 170 000 arbres d'ici 2026.", "Planter 200 000 arbres d'ici 2030.")
    assert "".join(t for op, t in ops if op != "insert") == "Planter 170 000 arbres d'ici 2026."
    assert "".join(t for op, t in ops if op != "delete") == "Planter 200 000 arbres d'ici 2030."
    assert ("delete", "170 ") in ops and ("insert", "200 ") in ops
    assert ("delete", "2026") in ops and ("insert", "2030") in ops  # the full stop stays: signs are tokens


def test_rendered_diff_is_escaped_and_not_colour_alone():
    html = str(render_ops(word_diff("a <b> x", "a <i> c")))
    assert "<i>" not in html and "<b>" not in html and "&lt;" in html and "&gt;" in html
    assert '<ins><span class="visually-hidden">[ajouté\u00a0:] </span>' in html
    assert '<del><span class="visually-hidden">[supprimé\u00a0:] </span>' in html


def test_document_diff_aligns_sections_by_slug():
    old = [S("a", "A", "même texte"), S("b", "B", "ancien texte"), S("c", "C", "supprimée")]
    new = [S("a", "A", "même texte"), S("b", "B bis", "nouveau texte"), S("d", "D", "ajoutée")]
    result = {d.slug: d for d in document_diff(old, new)}
    assert result["a"].state == "unchanged"
    assert result["b"].state == "changed" and result["b"].old_title == "B"
    assert (result["b"].insertions, result["b"].deletions) == (1, 1)
    assert result["c"].state == "removed"
    assert result["d"].state == "added" and result["d"].insertions == 1


def test_diff_is_symmetric_in_content():
    a, b = "Un réseau continu de pistes cyclables.", "Un réseau continu et sécurisé de pistes."
    forward = word_diff(a, b)
    backward = word_diff(b, a)
    assert {t for op, t in forward if op == "insert"} == {t for op, t in backward if op == "delete"}


def test_added_sentence_in_a_long_text_is_one_insertion():
    old = " ".join(f"Phrase numéro {i} sur les pistes cyclables." for i in range(200))
    sentences = old.split(". ")
    new = ". ".join([*sentences[:100], "Une phrase toute neuve sur les arbres", *sentences[100:]])
    ops = word_diff(old, new)
    assert [t for op, t in ops if op == "insert"] == ["Une phrase toute neuve sur les arbres. "]
    assert not [t for op, t in ops if op == "delete"]


def test_rendered_diff_shows_headings_lists_and_emphasis_with_marked_words():
    from strategy.diff import render_ops_markdown

    old = "### Vélo\n\nLe plan prévoit *des pistes*.\n\n- une école\n- deux"
    new = "### Vélo partout\n\nLe plan prévoit *des pistes* **sûres**.\n\n- une école\n- trois\n- quatre"
    html = str(render_ops_markdown(word_diff(old, new)))
    assert html.startswith("<h3>Vélo <ins>")
    assert "<em>des pistes</em>" in html and "<strong><ins>sûres</ins></strong>" in html
    assert "<li><del>" in html and "quatre" in html
    assert "*" not in html and "#" not in html.replace("&#x27;", "")
    assert html.count("<ins>") == html.count("</ins>") and html.count("<del>") == html.count("</del>")


def test_rendered_diff_stays_sanitised():
    from strategy.diff import render_ops_markdown

    html = str(render_ops_markdown(word_diff("Texte.", "Texte <script>alert(1)</script> \ue001 [lien](javascript:x).")))
    assert "<script>" not in html and "javascript:" not in html and "\ue001" not in html


def test_the_diff_of_a_new_version_is_cached_at_publication_in_every_language(
    v1, sections, team_member, client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache
    from django.utils import translation

    from strategy import services
    from strategy.diff import _pair_key

    section = sections[0]
    section.refresh_from_db()
    services.edit_section(section, team_member, "Un réseau *continu* de pistes.", section.revision)
    with django_capture_on_commit_callbacks(execute=True):
        v2 = services.publish_version(team_member, "Deux.")
    before, after = v1.sections.get(slug=section.slug), v2.sections.get(slug=section.slug)
    keys = {}
    for code in ("fr", "en"):
        with translation.override(code):
            keys[code] = _pair_key(before, after)
            assert cache.get(keys[code])["state"] == "changed"
    assert keys["fr"] != keys["en"]  # the hidden labels are in the reader's language
    page = client.get("/strategie/comparer/?from=1&to=2").content.decode()
    assert "<em><ins>" in page and "[ajouté\u00a0:]" in page
    # The page reads the stored diff: what the cache holds is what readers get.
    cache.set(keys["fr"], cache.get(keys["fr"]) | {"rendered_text": "<p>Diff gardé en cache.</p>"})
    assert "Diff gardé en cache." in client.get("/strategie/comparer/?from=1&to=2").content.decode()
    cache.delete_many(list(keys.values()))
