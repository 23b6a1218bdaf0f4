"""The knowledge base: every article loads in both languages with its sources, search finds
what people type (Chinese without spaces, English words), and the pages show the sources."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from tests.portal.planning_fixtures import employee_with_account, signed_in

from renshi.portal import knowledge

REQUIRED_TOPICS = {
    "gap-pension",
    "gap-medical",
    "gap-home-purchase",
    "backpay",
    "pension-formula",
    "retirement-age",
    "after-leaving",
    "reading-payslip",
    "unpaid-leave-advance",
}


def test_every_article_loads_in_both_languages_with_sources_and_marks():
    articles = knowledge.articles()

    assert {article.slug for article in articles} >= REQUIRED_TOPICS
    for article in articles:
        assert article.sources, article.slug
        assert article.claims, article.slug
        assert article.confidence in ("V", "R", "U")
        assert isinstance(article.last_checked, datetime.date)
        for language in ("zh", "en"):
            text = article.local(language)
            assert text.title, (article.slug, language)
            assert text.summary, (article.slug, language)
            assert text.tags, (article.slug, language)
            assert text.blocks, (article.slug, language)
        for claim in article.claims:
            assert claim.text["zh"]
            assert claim.text["en"]
            assert list(knowledge.cited_sources(article, claim))


def test_the_chinese_text_is_chinese_and_the_english_text_english():
    for article in knowledge.articles():
        assert any("\u4e00" <= char <= "\u9fff" for char in article.local("zh").title)
        assert article.local("en").title.isascii(), article.slug


def test_an_article_is_as_sure_as_its_least_sure_claim():
    medical = knowledge.article_get("gap-medical")
    assert medical is not None
    assert {claim.confidence for claim in medical.claims} >= {"U"}
    assert medical.confidence == "U"
    retirement = knowledge.article_get("retirement-age")
    assert retirement is not None
    assert retirement.confidence == "R"


def test_a_malformed_file_is_refused_at_load(tmp_path, monkeypatch):
    (tmp_path / "broken.toml").write_text(
        'slug = "broken"\nlast_checked = 2026-01-01\n[[sources]]\nid = "a"\ntitle = "t"\n'
        'kind = "secondary"\n[[claims]]\nconfidence = "X"\nsources = ["a"]\nzh = "z"\nen = "e"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(knowledge, "KNOWLEDGE_DIR", tmp_path)
    knowledge.articles.cache_clear()
    try:
        with pytest.raises(knowledge.KnowledgeFileError, match="not V, R or U"):
            knowledge.articles()
    finally:
        monkeypatch.undo()
        knowledge.articles.cache_clear()


@pytest.mark.parametrize(
    ("query", "language", "expected_first"),
    [
        ("补缴", "zh", "backpay"),
        ("滞纳金", "zh", "backpay"),
        ("买房", "zh", "gap-home-purchase"),
        ("断缴买房", "zh", "gap-home-purchase"),
        ("延迟退休", "zh", "retirement-age"),
        ("back-pay", "en", "backpay"),
        ("home", "en", "gap-home-purchase"),
        ("Buying a HOME", "en", "gap-home-purchase"),
        ("flexible worker", "en", "after-leaving"),
        ("payslip", "en", "reading-payslip"),
    ],
)
def test_search_finds_the_article_with_title_hits_first(query, language, expected_first):
    found = knowledge.search(query, language)

    assert found, query
    assert found[0].slug == expected_first


@pytest.mark.parametrize("query", ["zzqxv", "齉龘", "   "])
def test_search_finds_nothing_for_nonsense(query):
    assert knowledge.search(query, "zh") == []
    assert knowledge.search(query, "en") == []


def test_search_uses_the_readers_language():
    assert knowledge.search("补缴", "zh")
    with translation.override("en"):
        assert [a.slug for a in knowledge.search("back-pay")][0] == "backpay"
        assert knowledge.search("滞纳金") == []


# --- pages --------------------------------------------------------------------------------

pages = pytest.mark.django_db


@pages
def test_the_help_page_lists_every_article(client):
    signed_in(client, employee_with_account())

    response = client.get(reverse("portal:help"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="help-search"' in html
    assert html.count('class="list-group-item list-group-item-action help-result"') == len(
        knowledge.articles()
    )


@pages
def test_a_plain_search_returns_the_page_and_htmx_the_results_alone(client, settings):
    signed_in(client, employee_with_account())

    full = client.get(reverse("portal:help"), {"q": "补缴"})
    partial = client.get(reverse("portal:help"), {"q": "补缴"}, HTTP_HX_REQUEST="true")

    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'id="help-results"' in partial.content.decode()
    assert 'data-slug="backpay"' in partial.content.decode()
    nothing = client.get(reverse("portal:help"), {"q": "zzqxv"}, HTTP_HX_REQUEST="true")
    assert 'id="help-empty"' in nothing.content.decode()
    assert "help-result" not in nothing.content.decode().replace("help-results", "")


@pages
def test_an_article_page_shows_its_sources_confidence_and_date(client, settings):
    signed_in(client, employee_with_account())

    response = client.get("/en" + reverse("portal:help-article", args=["gap-home-purchase"]))

    html = response.content.decode()
    article = knowledge.article_get("gap-home-purchase")
    assert article is not None
    assert response.status_code == 200
    assert article.local("en").title in html
    assert 'id="article-sources"' in html
    for source in article.sources:
        assert f'id="source-{source.id}"' in html
    assert "confidence-U" in html
    assert "confidence-R" in html
    assert article.last_checked.isoformat() in html
    # A claim's source is referred to by its number in the list: Guangzhou's is the tenth.
    assert article.sources[9].id == "bastille-2024-10-04"
    assert '<a href="#source-bastille-2024-10-04" title="' in html
    assert html.split('href="#source-bastille-2024-10-04"')[1].split("</a>")[0].endswith(">10")


@pages
def test_an_unknown_article_is_not_found(client):
    signed_in(client, employee_with_account())

    assert client.get(reverse("portal:help-article", args=["no-such-thing"])).status_code == 404
