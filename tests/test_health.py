"""Source health: one alert when a source goes down, one when it recovers, across restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from anbien_bot.config import SourceConfig
from anbien_bot.sources.health import Alert, alert_text, due_alerts, is_down, source_report
from anbien_bot.store.sources import SourceState
from anbien_bot.texts import text
from anbien_bot.values import FailureKind
from tests.admin_chat import ADMIN, OTHER_ADMIN, admin_config
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, running_bot
from tests.telegram_rules import check_telegram_html

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
LAYOUT = "layout changed? the listing yielded no articles"


def state(
    failures: int = 0,
    *,
    alerted: bool = False,
    error: str | None = "HTTP 500",
    kind: FailureKind | None = FailureKind.FETCH,
) -> SourceState:
    return SourceState(
        "Cổng huyện",
        consecutive_failures=failures,
        alerted=alerted,
        last_error=error if failures else None,
        last_error_kind=kind if failures else None,
        last_error_at=NOW if failures else None,
        last_success_at=datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
    )


# -- decisions -------------------------------------------------------------------------------


FETCH, LAYOUT_KIND = FailureKind.FETCH, FailureKind.LAYOUT


@pytest.mark.parametrize(
    ("failures", "alerted", "error", "kind", "expected"),
    [
        (0, False, None, None, None),
        (2, False, "HTTP 500", FETCH, None),  # below the threshold: transient
        (3, False, "HTTP 500", FETCH, True),  # the third failure in a row
        (7, True, "HTTP 500", FETCH, None),  # already told
        (1, False, LAYOUT, LAYOUT_KIND, True),  # a layout that broke is told at once
        (1, True, LAYOUT, LAYOUT_KIND, None),
        (0, True, None, None, False),  # it was down, it works again
        # The kind decides, not the wording: a URL holding "layout" is no redesign.
        (1, False, "HTTP 404 /layout/rss.xml", FETCH, None),
        (1, False, "not a feed", FailureKind.NOT_A_FEED, None),
    ],
)
def test_an_alert_goes_once_when_down_and_once_when_back(
    failures: int,
    alerted: bool,
    error: str | None,
    kind: FailureKind | None,
    expected: bool | None,
) -> None:
    states = {"Cổng huyện": state(failures, alerted=alerted, error=error, kind=kind)}
    alerts = due_alerts(["Cổng huyện"], states, threshold=3)
    assert [a.down for a in alerts] == ([] if expected is None else [expected])
    assert [a.layout for a in alerts if a.down] == ([kind is LAYOUT_KIND] if expected else [])


def test_a_threshold_of_zero_never_alerts_and_unknown_sources_are_skipped() -> None:
    states = {"Cổng huyện": state(9), "Đã bỏ": state(9)}
    assert due_alerts(["Cổng huyện"], states, threshold=0) == []
    assert [a.source for a in due_alerts(["Cổng huyện", "Mới"], states, threshold=3)] == [
        "Cổng huyện"
    ]
    assert not is_down(state(9), 0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_alert_texts_are_valid_and_name_the_source_and_error(lang: str) -> None:
    down = Alert("Báo <Kiên Giang>", down=True, failures=3, error="HTTP 503 " + "x" * 500)
    layout = Alert("Cổng huyện", down=True, layout=True, failures=1, error=LAYOUT)
    back = Alert("Cổng huyện", down=False)
    for alert in (down, layout, back):
        body = alert_text(alert, lang)  # type: ignore[arg-type]
        check_telegram_html(body, 4096)
    assert "Báo &lt;Kiên Giang&gt;" in alert_text(down, "vi")
    assert "3 lần liên tiếp" in alert_text(down, "vi")
    assert len(alert_text(down, "vi")) < 500  # a long error is cut
    assert "selectors" in alert_text(layout, "vi")
    assert alert_text(back, "en").startswith("✅")


def test_source_report_marks_failing_and_down_sources() -> None:
    source = SourceConfig(name="Cổng huyện", url="https://anbien.example.vn/rss", category="x")
    assert source_report(source, None, 0, 3, "vi").startswith("⏳")
    assert source_report(source, state(0), 4, 3, "vi").startswith("✅")
    failing = source_report(source, state(1), 0, 3, "vi")
    assert failing.startswith("⚠️")
    assert "Lỗi gần nhất (29/11/2026 10:00): HTTP 500" in failing
    assert source_report(source, state(3), 0, 3, "vi").startswith("🔴")


# -- end to end ------------------------------------------------------------------------------


def alerts_to(fake: FakeTelegram, admin: int) -> list[str]:
    return [t for t in fake.sent_texts(admin) if t.startswith(("🔴", "✅"))]


async def test_admins_hear_once_when_a_source_fails_and_once_when_it_recovers(
    tmp_path: Path, fake: FakeTelegram, portal: FakePortal
) -> None:
    portal.status("/rss.xml", 500)
    config = admin_config(
        tmp_path,
        fake,
        sources=[{"name": "Cổng huyện", "url": portal.url("/rss.xml"), "category": "thong-bao"}],
        polling={
            "interval_seconds": 1,
            "max_backoff_seconds": 1,
            "timeout_seconds": 2,
            "alert_after_failures": 2,
        },
    )
    async with running_bot(config):
        await eventually(lambda: alerts_to(fake, ADMIN) and alerts_to(fake, OTHER_ADMIN))
        polls = portal.hits("/rss.xml")
        await eventually(lambda: portal.hits("/rss.xml") >= polls + 2)  # still failing
    [down] = alerts_to(fake, ADMIN)
    assert down == text(
        "vi",
        "alert_down",
        name="Cổng huyện",
        failures=2,
        error="HTTP 500",
        success="chưa lần nào",
    )
    assert alerts_to(fake, OTHER_ADMIN) == [down]

    async with running_bot(config):  # a restart while it is still down: no new alert
        polls = portal.hits("/rss.xml")
        await eventually(lambda: portal.hits("/rss.xml") >= polls + 3)
        assert alerts_to(fake, ADMIN) == [down]
        portal.status("/rss.xml", None)
        portal.serve("/rss.xml", _feed(portal))
        await eventually(lambda: len(alerts_to(fake, OTHER_ADMIN)) == 2)
        polls = portal.hits("/rss.xml")
        await eventually(lambda: portal.hits("/rss.xml") >= polls + 2)
    for admin in (ADMIN, OTHER_ADMIN):
        assert alerts_to(fake, admin)[1] == text("vi", "alert_up", name="Cổng huyện")
        assert len(alerts_to(fake, admin)) == 2


def _feed(portal: FakePortal) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Thử</title>"
        f"<link>{portal.url('/')}</link><item><title>Tin 1</title>"
        f"<link>{portal.url('/tin/1.html')}</link><guid isPermaLink='false'>1</guid>"
        "<pubDate>Fri, 29 May 2020 10:00:00 +0700</pubDate></item></channel></rss>"
    )
