"""What each space's Markdown may hold once rendered (core.markdown with the space's allow-list)."""

from ideas.services import render_markdown as idea_html
from pages.rendering import render_markdown as page_html
from strategy.rendering import render_markdown as section_html

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |"


def test_a_table_is_a_table_in_pages_and_the_strategy_but_text_in_an_idea():
    assert "<table>" in page_html(TABLE) and "<table>" in section_html(TABLE)
    assert "<table" not in idea_html(TABLE) and "| a | b |" in idea_html(TABLE)


def test_links_keep_safe_schemes_and_ideas_mark_theirs_nofollow():
    for render in (idea_html, page_html, section_html):
        assert "javascript" not in render("[x](javascript:alert(1))")
        assert "<script" not in render("<script>alert(1)</script>")
        assert 'href="https://paris.fr"' in render("[Paris](https://paris.fr)")
    assert 'rel="nofollow noopener"' in idea_html("[Paris](https://paris.fr)")
    assert 'rel="noopener noreferrer"' in page_html("[Paris](https://paris.fr)")


def test_headings_start_where_each_space_puts_them():
    assert "<h2>" in page_html("## Titre")
    assert "<h2>" not in section_html("## Titre") and "<h5>" in section_html("##### Titre")
    assert "<h5>" not in idea_html("##### Titre")


def test_one_text_after_another_does_not_carry_footnotes_or_state_over():
    assert section_html("premier") == "<p>premier</p>"
    assert section_html("second") == "<p>second</p>"
