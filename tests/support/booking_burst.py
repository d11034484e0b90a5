"""Another ClassBot process for tests: many parents book one class at once, then its worker sends the links.

    python -m tests.support.booking_burst GO_FILE CLASS_PUBLIC_ID FIRST_PARENT COUNT

Prints one line per outcome (``booked N``, ``waitlisted N``), per private link sent (``link USER_ID``) and per
teacher's notice of new bookings (``told COUNT``), then exits once no job is due in the next seconds. Settings
come from the environment.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build_components
from bot.config import load_settings
from bot.core.communities import CommunityRef
from bot.core.messages import Said
from bot.storage.identity import PersonRef
from bot.storage.models import Job

# "New booking: Kid 5001 for …" or "3 new bookings for …".
_NOTICE = re.compile(r"^(?:New booking:|(\d+) new bookings for)")


class PrintingNotifier:
    async def post_to_community(self, community: CommunityRef, message: Said) -> None:
        print(f"post {community.chat_id}", flush=True)

    async def send_private(self, recipient: PersonRef, message: Said) -> None:
        if any(button.url for button in message.buttons):
            print(f"link {recipient.user_id}", flush=True)
        told = _NOTICE.match(message.text)
        if told:
            print(f"told {told.group(1) or 1}", flush=True)


async def burst(go: Path, class_id: str, first: int, count: int) -> None:
    async with build_components(
        load_settings(), migrate=False, start_worker=False, notifiers={"telegram": PrintingNotifier()}
    ) as components:
        deadline = time.monotonic() + 30
        while not go.exists():
            if time.monotonic() > deadline:
                raise SystemExit("no go signal within 30 s")
            await asyncio.sleep(0.005)
        parents = [PersonRef("telegram", str(5000 + n)) for n in range(first, first + count)]
        outcomes = await asyncio.gather(
            *(components.bookings.book(p, class_id, [f"Kid {p.user_id}"], f"tap-{p.user_id}") for p in parents)
        )
        for person, outcome in zip(parents, outcomes, strict=True):
            print(f"{'booked' if outcome.booked else 'waitlisted'} {person.user_id}", flush=True)
        # Until both processes' work is done; a starved machine is slow, so the bound only ends a hung run, loudly.
        deadline = time.monotonic() + 300
        left = -1
        while time.monotonic() < deadline:
            if await components.worker.run_due_jobs() == 0:
                soon = components.clock() + timedelta(seconds=5)  # reminders days ahead are not this run's work
                async with components.database.read() as session:
                    waiting = (Job.status == "running") | ((Job.status == "pending") & (Job.run_at <= soon))
                    left = (await session.execute(select(func.count()).where(waiting))).scalar_one()
                if left == 0:
                    return
                await asyncio.sleep(0.05)
        raise SystemExit(f"{left} jobs still waiting after 300 s")


def main() -> None:
    go, class_id, first, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    asyncio.run(burst(go, class_id, first, count))


if __name__ == "__main__":
    main()
