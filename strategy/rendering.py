"""Markdown written by the team or residents in the strategy becomes sanitised HTML (core.markdown): a section's
text starts its headings at h3, under the section's own title."""

from core.markdown import BASE_TAGS, MarkdownRenderer

_renderer = MarkdownRenderer(BASE_TAGS | {"h5", "pre", "hr", "abbr"}, tables=True)


def render_markdown(text: str) -> str:
    return _renderer.render(text)
