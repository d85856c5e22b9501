"""Reading that degrades: articles that suddenly come without lead, photo or date alert the
admins once, naming the fields, and once more when they come back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from anbien_bot.models import Entry
from anbien_bot.sourceconfig import SourceConfig
from anbien_bot.sources.health import (
    FIELD_MARKS_KEPT,
    RECENT,
    Alert,
    alert_text,
    due_alerts,
    fields_found,
    missing_fields,
    source_report,
)
from anbien_bot.store import Store
from anbien_bot.store.sources import SourceState
from anbien_bot.texts import text
from tests.admin_chat import ADMIN, OTHER_ADMIN, admin_config
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, running_bot
from tests.telegram_rules import check_telegram_html

NAME = "Cổng xã"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


# -- decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "told", "missing"),
    [
        ("1111111111", (), ()),
        ("1111100000", (), ("lead",)),  # five in a row without, after five with
        ("111110000", (), ()),  # only four without: one story may lack it by chance
        ("111100000", (), ()),  # too little history before them to judge
        ("1011010000000", (), ()),  # earlier articles had it only now and then
        ("0000000000", (), ()),  # never had it: nothing changed
        ("11111000001", ("lead",), ()),  # told, and the newest has it again
        ("111110000000000000", ("lead",), ("lead",)),  # told: stays missing while absent
    ],
)
def test_a_field_is_missing_when_recent_articles_lack_what_earlier_ones_had(
    lead: str, told: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    marks = {"lead": lead, "image": "1" * len(lead), "date": "1" * len(lead)}
    assert missing_fields(marks, told) == missing


def state(marks: dict[str, str], degraded: tuple[str, ...] = ()) -> SourceState:
    return SourceState(NAME, field_marks=marks, degraded=degraded)


def test_one_alert_names_every_missing_field_and_one_more_says_they_are_back() -> None:
    broken = {"lead": "1" * 6 + "0" * 5, "image": "1" * 6 + "0" * 5, "date": "1" * 11}
    [alert] = due_alerts([NAME], {NAME: state(broken)}, threshold=3)
    assert alert == Alert(NAME, down=True, fields=("lead", "image"))
    assert due_alerts([NAME], {NAME: state(broken, ("lead", "image"))}, threshold=3) == []
    fixed = {k: v + "1" for k, v in broken.items()}
    [back] = due_alerts([NAME], {NAME: state(fixed, ("lead", "image"))}, threshold=3)
    assert back == Alert(NAME, down=False, fields=("lead", "image"))
    assert due_alerts([NAME], {NAME: state(broken)}, threshold=0) == []  # alerts are off


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_field_alerts_are_valid_telegram_html_naming_source_and_fields(lang: str) -> None:
    down = alert_text(Alert("Cổng <xã>", down=True, fields=("lead", "image")), lang)  # type: ignore[arg-type]
    back = alert_text(Alert("Cổng <xã>", down=False, fields=("image",)), lang)  # type: ignore[arg-type]
    for body in (down, back):
        check_telegram_html(body, 4096)
        assert "Cổng &lt;xã&gt;" in body
    assert down.startswith("🟠")
    assert back.startswith("✅")
    lead, photo = text(lang, "field_lead"), text(lang, "field_image")  # type: ignore[arg-type]
    assert f"{lead}, {photo}" in down
    assert photo in back
    assert lead not in back
    assert "discover" in down


def test_the_sources_report_shows_what_recent_articles_lack() -> None:
    source = SourceConfig(name=NAME, url="https://xa.example.vn/tin-tuc", category="x")
    ok = SourceState(NAME, last_success_at=START)
    degraded = SourceState(NAME, last_success_at=START, degraded=("image",))
    assert source_report(source, ok, 4, 3, "vi").startswith("✅")
    report = source_report(source, degraded, 4, 3, "vi")
    assert report.startswith("🟠")
    assert "Tin gần đây thiếu: ảnh" in report


def test_fields_are_counted_oldest_article_first() -> None:
    entries = [
        Entry("b", "u", "newer", summary="x", published=START + timedelta(hours=1)),
        Entry("c", "u", "undated", image_url="https://x/a.jpg"),
        Entry("a", "u", "older", published=START),
    ]
    assert fields_found(entries) == {
        "lead": [False, True, False],
        "image": [False, False, True],
        "date": [True, True, False],
    }


async def test_the_store_keeps_the_last_marks_of_each_field_and_what_was_told(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "s.sqlite3")
    try:
        await store.record_fields(NAME, {"lead": [True] * 40, "image": [False]}, keep=30)
        await store.record_fields(NAME, {"lead": [False], "image": [True]}, keep=30)
        await store.set_source_degraded(NAME, ("lead", "date"))
        got = await store.source_state(NAME)
        assert got.field_marks == {"lead": "1" * 29 + "0", "image": "01"}
        assert got.degraded == ("lead", "date")
        await store.set_source_degraded(NAME, ())
        assert (await store.source_state(NAME)).degraded == ()
    finally:
        await store.close()


# -- end to end ------------------------------------------------------------------------------


def feed(portal: FakePortal, items: list[tuple[int, bool]]) -> str:
    """Return an RSS feed of items (number, whether it has a summary and a photo), newest first."""
    parts = []
    for number, complete in sorted(items, reverse=True):
        when = format_datetime(START + timedelta(hours=number))
        extra = ""
        if complete:
            extra = (
                f"<description>Tóm tắt tin số {number} của xã.</description>"
                f"<enclosure url='{portal.url(f'/anh/{number}.jpg')}' type='image/jpeg' "
                "length='1000'/>"
            )
        parts.append(
            f"<item><title>Tin số {number} của xã</title>"
            f"<link>{portal.url(f'/tin/{number}')}</link><guid>{number}</guid>"
            f"<pubDate>{when}</pubDate>{extra}</item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Xã</title>"
        f"<link>{portal.url('/')}</link>{''.join(parts)}</channel></rss>"
    )


def field_alerts(fake: FakeTelegram, admin: int) -> list[str]:
    return [t for t in fake.sent_texts(admin) if t.startswith("🟠") or "có lại" in t]


async def polled(portal: FakePortal, times: int) -> None:
    """Wait until the bot has polled the feed this many more times (each poll's alerts done)."""
    polls = portal.hits("/rss.xml")
    await eventually(lambda: portal.hits("/rss.xml") >= polls + times)


def config_for(tmp_path: Path, fake: FakeTelegram, portal: FakePortal) -> Path:
    source = {"name": NAME, "url": portal.url("/rss.xml"), "category": "thong-bao"}
    return admin_config(
        tmp_path,
        fake,
        # Thin items are not completed from their pages here: what the feed says is what counts.
        sources=[{**source, "enrich": False}],
        polling={"interval_seconds": 1, "jitter_seconds": 0},
    )


async def test_admins_hear_once_when_articles_lose_their_lead_and_photo_and_once_when_back(
    tmp_path: Path,
) -> None:
    history = [(n, True) for n in range(1, 7)]
    async with FakeTelegram() as fake, FakePortal() as portal:
        portal.serve("/rss.xml", feed(portal, history))
        config = config_for(tmp_path, fake, portal)
        async with running_bot(config):
            await polled(portal, 2)
            assert field_alerts(fake, ADMIN) == []
            broken = history + [(n, False) for n in range(7, 7 + RECENT)]
            portal.serve("/rss.xml", feed(portal, broken))
            await eventually(lambda: field_alerts(fake, ADMIN) and field_alerts(fake, OTHER_ADMIN))
            await polled(portal, 2)  # still without: no second alert
        [alert] = field_alerts(fake, ADMIN)
        fields = f"{text('vi', 'field_lead')}, {text('vi', 'field_image')}"
        assert alert == text("vi", "alert_fields", name=NAME, fields=fields, recent=RECENT)
        assert text("vi", "field_date") not in alert
        assert field_alerts(fake, OTHER_ADMIN) == [alert]

        async with running_bot(config):  # a restart: the admins already know
            await polled(portal, 2)
            assert field_alerts(fake, ADMIN) == [alert]
            portal.serve("/rss.xml", feed(portal, [*broken, (7 + RECENT, True)]))
            await eventually(lambda: len(field_alerts(fake, OTHER_ADMIN)) == 2)
            await polled(portal, 2)
        back = text("vi", "alert_fields_back", name=NAME, fields=fields)
        for admin in (ADMIN, OTHER_ADMIN):
            assert field_alerts(fake, admin) == [alert, back]


async def test_a_source_that_never_had_photos_does_not_alert(tmp_path: Path) -> None:
    async with FakeTelegram() as fake, FakePortal() as portal:
        # Leads all along, never a photo.
        items = [(n, True) for n in range(1, 7)]
        portal.serve("/rss.xml", feed(portal, items).replace("<enclosure", "<x"))
        config = config_for(tmp_path, fake, portal)
        async with running_bot(config):
            await polled(portal, 2)
            more = items + [(n, True) for n in range(7, 7 + 2 * RECENT)]
            portal.serve("/rss.xml", feed(portal, more).replace("<enclosure", "<x"))
            await polled(portal, 3)
        assert fake.sent_texts(ADMIN) == []
        store = await Store.open(tmp_path / "bot.sqlite3")
        try:
            marks = (await store.source_state(NAME)).field_marks
        finally:
            await store.close()
        assert marks["image"] == "0" * (6 + 2 * RECENT)  # counted, and never had it
        assert marks["lead"] == "1" * (6 + 2 * RECENT)
        assert len(marks["lead"]) <= FIELD_MARKS_KEPT
