"""The corpus of portal layouts read with defaults only: every field of every article page,
every listing's article links and next page (issue 13's floor made concrete).

A field a layout knowingly defeats is named in its expected.toml under [misses], with why;
it must stay rare, and must really be missed (or the entry is stale).
"""

import pytest

from anbien_bot.models import Selectors
from anbien_bot.sources.extract import parse_article
from anbien_bot.sources.feeds import parse_feed
from anbien_bot.sources.listing import next_page_url, parse_listing
from anbien_bot.text.urls import canonical_url
from tests.corpus import (
    ARTICLE_FIELDS,
    ArticleCase,
    ListingCase,
    article_cases,
    check_article,
    check_listing,
    layouts,
    listing_cases,
)

MISSES_MAX = 0.02  # of all article fields


@pytest.mark.parametrize("case", article_cases(), ids=lambda c: c.id)
def test_defaults_read_every_field_of_the_article(case: ArticleCase):
    page = parse_article(case.html, case.url, Selectors())
    results = check_article(page, case.expected)

    wrong = {name: problem for name, problem in results.items() if problem is not None}
    assert {n: p for n, p in wrong.items() if n not in case.expected.misses} == {}
    # A field listed as missed that is now read right is a stale entry: tighten the file.
    assert sorted(wrong) == sorted(case.expected.misses)


@pytest.mark.parametrize(
    "case", listing_cases(), ids=lambda c: f"{c.layout}/{c.file.name.removesuffix('.html')}"
)
def test_defaults_find_the_listings_articles_and_its_next_page(case: ListingCase):
    items = parse_listing(case.html, case.url, Selectors())
    following = next_page_url(case.html, case.url, Selectors())

    assert check_listing(items, following, case) == {"links": None, "next": None}


def test_knowingly_missed_fields_stay_rare():
    fields = len(article_cases()) * len(ARTICLE_FIELDS)
    missed = sum(len(case.expected.misses) for case in article_cases())
    assert missed <= MISSES_MAX * fields


@pytest.mark.parametrize("layout", layouts(), ids=lambda layout: layout.name)
def test_each_layout_has_the_pages_issue_13_asks_for(layout):
    first, *rest = layout.listings
    assert first.next_url is not None, "a listing with a next page"
    assert rest, "and that next page"
    assert len(layout.articles) >= 4
    expected = [case.expected for case in layout.articles]
    assert any(e.image is None for e in expected), "a story with no photo"
    assert any(e.attachments for e in expected), "an attachment block"
    # Every article page is reachable: from a listing (Liferay's links add ?redirect=…) or a feed.
    linked = [u for page in (*layout.listings, *layout.feeds) for u in page.articles]
    reachable = {canonical_url(u).partition("?redirect=")[0] for u in linked}
    assert {canonical_url(case.url) for case in layout.articles} <= reachable


@pytest.mark.parametrize(
    "feed",
    [feed for layout in layouts() for feed in layout.feeds],
    ids=lambda feed: f"{feed.layout}{feed.path}",
)
def test_feeds_of_the_corpus_parse_and_list_its_articles(feed):
    entries = parse_feed(feed.file.read_bytes(), url=feed.url)
    assert [canonical_url(e.url) for e in entries] == [canonical_url(u) for u in feed.articles]
    assert all(e.title and e.published for e in entries)


def test_drupal_and_wordpress_serve_feeds():
    by_name = {layout.name: layout for layout in layouts()}
    assert {f.path for f in by_name["drupal"].feeds} == {"/rss.xml", "/taxonomy/term/12/feed"}
    assert "/feed/" in {f.path for f in by_name["wordpress"].feeds}
