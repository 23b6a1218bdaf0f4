"""The portal's knowledge base: articles as TOML data files, loaded once, searched in memory.

Each file under ``knowledge/`` is one article with its text in zh-Hans and English, its key
claims each marked V (official text), R (one secondary source) or U (unconfirmed) with the
sources they rest on, and the date the sources were last checked. An article's confidence is
its weakest claim's. A file that breaks these rules fails loudly at load time (and in the
tests), never with a half-shown article.

Search matches the query's words as substrings (Chinese has no spaces between words) against
the title, summary, tags and body in the reader's language; every word must match somewhere,
and title hits rank first.
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

KNOWLEDGE_DIR = Path(__file__).parent / "knowledge"
LANGUAGES = ("zh", "en")
CONFIDENCES = ("V", "R", "U")  # strongest first
_CJK = re.compile(r"[\u3400-\u9fff]")


class KnowledgeFileError(ValueError):
    """An article file that does not follow the format (a developer's error, not a user's)."""


@dataclass(frozen=True, slots=True)
class ArticleSource:
    id: str
    title: str
    publisher: str
    url: str
    date: str
    kind: str  # regulation, official or secondary
    note: str


@dataclass(frozen=True, slots=True)
class Claim:
    text: dict[str, str]  # by language
    confidence: str
    sources: tuple[str, ...]  # source ids


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of an article's body: a paragraph, or a list of items."""

    kind: str  # "p" or "ul"
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LocalText:
    title: str
    summary: str
    tags: tuple[str, ...]
    body: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    order: int
    last_checked: datetime.date
    text: dict[str, LocalText]
    claims: tuple[Claim, ...]
    sources: tuple[ArticleSource, ...]

    @property
    def confidence(self) -> str:
        """The weakest claim's mark: an article is only as sure as its least sure claim."""
        return max((claim.confidence for claim in self.claims), key=CONFIDENCES.index)

    def local(self, language: str | None = None) -> LocalText:
        return self.text[language_key(language)]

    def source(self, source_id: str) -> ArticleSource:
        return next(source for source in self.sources if source.id == source_id)


def language_key(language: str | None = None) -> str:
    """``zh`` for any Chinese (the default), ``en`` for English."""
    language = language or get_language() or "zh-hans"
    return "en" if language.startswith("en") else "zh"


def _blocks(body: str) -> tuple[Block, ...]:
    """Paragraphs are separated by a blank line; a paragraph of "- " lines is a list."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            blocks.append(Block("ul", tuple(line[2:].strip() for line in lines)))
        elif lines:
            blocks.append(Block("p", (" ".join(lines) if _is_latin(lines) else "".join(lines),)))
    return tuple(blocks)


def _is_latin(lines: list[str]) -> bool:
    return not any(_CJK.search(line) for line in lines)


def _require(data: dict[str, Any], key: str, kind: type, *, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, str | list) and not value):
        raise KnowledgeFileError(f"{where}: '{key}' is missing or not a non-empty {kind.__name__}")
    return value


def _parse(path: Path) -> Article:
    where = path.name
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    slug = _require(data, "slug", str, where=where)
    if slug != path.stem:
        raise KnowledgeFileError(f"{where}: slug '{slug}' differs from the file name")
    last_checked = data.get("last_checked")
    if not isinstance(last_checked, datetime.date):
        raise KnowledgeFileError(f"{where}: 'last_checked' must be a date (YYYY-MM-DD)")

    sources = []
    for raw in _require(data, "sources", list, where=where):
        sources.append(
            ArticleSource(
                id=_require(raw, "id", str, where=where),
                title=_require(raw, "title", str, where=where),
                publisher=str(raw.get("publisher", "")),
                url=str(raw.get("url", "")),
                date=str(raw.get("date", "")),
                kind=_require(raw, "kind", str, where=where),
                note=str(raw.get("note", "")),
            )
        )
    source_ids = {source.id for source in sources}

    claims = []
    for raw in _require(data, "claims", list, where=where):
        confidence = _require(raw, "confidence", str, where=where)
        if confidence not in CONFIDENCES:
            raise KnowledgeFileError(f"{where}: confidence '{confidence}' is not V, R or U")
        cited = tuple(_require(raw, "sources", list, where=where))
        unknown = set(cited) - source_ids
        if unknown:
            raise KnowledgeFileError(f"{where}: a claim cites unknown sources {sorted(unknown)}")
        claims.append(
            Claim(
                text={lang: _require(raw, lang, str, where=where) for lang in LANGUAGES},
                confidence=confidence,
                sources=cited,
            )
        )

    text = {}
    for lang in LANGUAGES:
        raw = _require(data, lang, dict, where=where)
        body = _require(raw, "body", str, where=f"{where} [{lang}]")
        text[lang] = LocalText(
            title=_require(raw, "title", str, where=f"{where} [{lang}]"),
            summary=_require(raw, "summary", str, where=f"{where} [{lang}]"),
            tags=tuple(_require(raw, "tags", list, where=f"{where} [{lang}]")),
            body=body,
            blocks=_blocks(body),
        )
    return Article(
        slug=slug,
        order=int(data.get("order", 100)),
        last_checked=last_checked,
        text=text,
        claims=tuple(claims),
        sources=tuple(sources),
    )


@functools.cache
def articles() -> tuple[Article, ...]:
    """Every article, in reading order; read from disk on first use only."""
    loaded = [_parse(path) for path in sorted(KNOWLEDGE_DIR.glob("*.toml"))]
    return tuple(sorted(loaded, key=lambda article: (article.order, article.slug)))


def article_get(slug: str) -> Article | None:
    return next((article for article in articles() if article.slug == slug), None)


def _words(query: str) -> list[str]:
    return [word for word in query.casefold().split() if word]


def _matches(word: str, haystack: str) -> bool:
    if word in haystack:
        return True
    # A run of Chinese typed without spaces ("断缴买房") matches when each of its two-character
    # pieces ("断缴", "买房") does, wherever they stand: a poor man's word segmentation, enough
    # for a few pages. An odd last character goes with the one before it ("滞纳金": "滞纳", "纳金").
    if len(word) > 2 and _CJK.search(word):
        pieces = [word[i : i + 2] for i in range(0, len(word) - 1, 2)]
        if len(word) % 2:
            pieces.append(word[-2:])
        return all(piece in haystack for piece in pieces)
    return False


def search(query: str, language: str | None = None) -> list[Article]:
    """Articles matching every word of ``query``; title hits first, then tags, then the rest."""
    words = _words(query)
    if not words:
        return []
    lang = language_key(language)
    scored = []
    for article in articles():
        text = article.local(lang)
        title = text.title.casefold()
        tags = " ".join(text.tags).casefold()
        rest = f"{text.summary}\n{text.body}".casefold()
        everything = f"{title}\n{tags}\n{rest}"
        if not all(_matches(word, everything) for word in words):
            continue
        rank = (
            0
            if any(_matches(word, title) for word in words)
            else 1
            if any(_matches(word, tags) for word in words)
            else 2
        )
        scored.append((rank, article.order, article.slug, article))
    return [entry[3] for entry in sorted(scored, key=lambda entry: entry[:3])]


def cited_sources(article: Article, claim: Claim) -> Iterable[ArticleSource]:
    return (article.source(source_id) for source_id in claim.sources)
