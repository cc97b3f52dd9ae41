"""Markdown written by residents or the team becomes sanitised HTML: Python-Markdown, then nh3's allow-list.
Each space says which tags its texts may hold (a page has sections, a comment does not); the conversion is shared."""

import threading

import markdown
import nh3

BASE_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "code", "h3", "h4"})
TABLE_TAGS = frozenset({"table", "thead", "tbody", "tr", "th", "td"})
BASE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


class MarkdownRenderer:
    """`render(text)` → safe HTML holding only `tags`. One Python-Markdown converter per thread, reset between
    texts: building one costs more than converting a section."""

    def __init__(self, tags, *, tables=False, link_rel="noopener noreferrer"):
        self.tags = set(tags) | (TABLE_TAGS if tables else set())
        self.extensions = ["tables", "sane_lists"] if tables else ["sane_lists"]
        self.link_rel = link_rel
        self._local = threading.local()

    def _converter(self) -> markdown.Markdown:
        md = getattr(self._local, "md", None)
        if md is None:
            md = self._local.md = markdown.Markdown(extensions=self.extensions, output_format="html")
        return md

    def render(self, text: str) -> str:
        html = self._converter().reset().convert(text or "")
        attributes = {tag: names for tag, names in BASE_ATTRIBUTES.items() if tag in self.tags}
        return nh3.clean(html, tags=self.tags, attributes=attributes, url_schemes=URL_SCHEMES, link_rel=self.link_rel)
