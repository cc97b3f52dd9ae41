from strategy.diff import document_diff, render_ops, word_diff


class S:
    def __init__(self, slug, title, body):
        self.slug, self.title, self.body = slug, title, body


def test_word_diff_keeps_unchanged_words_and_marks_changes():
    ops = word_diff("Planter 170 000 arbres d'ici 2026.", "Planter 200 000 arbres d'ici 2030.")
    assert "".join(t for op, t in ops if op != "insert") == "Planter 170 000 arbres d'ici 2026."
    assert "".join(t for op, t in ops if op != "delete") == "Planter 200 000 arbres d'ici 2030."
    assert ("delete", "170 ") in ops and ("insert", "200 ") in ops
    assert ("delete", "2026.") in ops and ("insert", "2030.") in ops


def test_rendered_diff_is_escaped_and_not_colour_alone():
    html = str(render_ops(word_diff("a <b>", "a <i> c")))
    assert "<i>" not in html and "&lt;i&gt;" in html
    assert '<ins><span class="visually-hidden">[ajouté :] </span>' in html
    assert '<del><span class="visually-hidden">[supprimé :] </span>' in html


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
