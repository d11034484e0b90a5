"""/stats answers with the weekly chart as a photo: to a group's admin privately (the group gets only the
numbers), and to a teacher for their own classes in the private chat."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.telegram.world import telegram_world


def _when(days: int) -> str:
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%d 17:00")


async def test_stats_sends_the_chart_privately_never_to_the_group(tmp_path: Path) -> None:
    with telegram_world(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'classbot.db'}") as world:
        tg = world.telegram
        ada, ann, mo = (tg.add_user(name) for name in ("Ada", "Ann", "Mo"))
        group = tg.add_group("Chess parents", members=[ann, mo], admins=[ada])
        for person in (ada, ann, mo):
            person.start_private_chat()
            await world.said(person, "books kids")
        tg.add_bot_to_group(group, by=ada)
        ada.send("/setup", group)
        await tg.wait_for_message(group, lambda m: "is set up here" in (m.text or ""), timeout=40)
        ann.send(f"/newclass Chess club | {_when(3)} | 45 | 5 | no zoom", group)
        await tg.wait_for_message(group, lambda m: "New class" in (m.text or ""), timeout=40)

        ada.send("/stats", group)
        await tg.wait_for_message(group, lambda m: "Last 30 days here" in (m.text or ""), timeout=40)
        chart = await tg.wait_for_message(ada, lambda m: m.photo is not None, timeout=40)
        totals = await world.said(ada, "Last 12 weeks")

        mo.send("/stats", group)
        await tg.wait_for_message(group, lambda m: "Only this group's admins" in (m.text or ""), timeout=40)

        ann.send("/stats")
        own = await tg.wait_for_message(ann, lambda m: m.photo is not None, timeout=40)
        mo.send("/stats")
        refused = await world.said(mo, "You teach no classes yet")

        group_photos = [m for m in tg.messages(group) if m.photo is not None]
        mo_photos = [m for m in tg.messages(mo) if m.photo is not None]

    assert chart.photo is not None
    assert chart.photo.data.startswith(b"\x89PNG")
    assert chart.caption == "The last 12 weeks"
    assert (chart.photo.width, chart.photo.height) == (640, 360)
    assert "0 bookings" in (totals.text or "")
    assert own.photo is not None
    assert refused.photo is None
    assert group_photos == []
    assert mo_photos == []
