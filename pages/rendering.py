"""The pages' Markdown becomes sanitised HTML, as everywhere on the site (core.markdown): sections from h2."""

from core.markdown import BASE_TAGS, MarkdownRenderer

_renderer = MarkdownRenderer(BASE_TAGS | {"h2", "hr", "abbr"}, tables=True)


def render_markdown(text: str) -> str:
    return _renderer.render(text)
