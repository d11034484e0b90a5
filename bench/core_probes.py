"""The core calls behind Slack's App Home tab, a teacher's roster and the worker's reminder sweep, timed one at a
time against a running ClassBot's database (``bench.scale_curve`` runs this beside the bot).

    python -m bench.core_probes PROBES        (settings from the environment; prints one JSON object)

- *App Home*: ``HomeTab.view_for``, the Slack front end's build of the Home tab view (every core call it makes
  and the blocks), for prefilled Slack people: the teachers with the most classes and parents with bookings,
  each a member of every channel of their workspace (the membership Slack would give, answered here without
  Slack). Publishing the view (``views.publish``, one HTTPS call to Slack) is not timed.
- *Roster*: ``ClassService.roster`` for classes with bookings, by their teachers.
- *Reminder sweep*: ``JobQueue.claim``, the worker's one statement that takes the due jobs (reminders among
  them), at moments spread over the next two days so that some reminders are due; what it took is put back,
  untimed, so the bot's own worker never sees it.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from bench.machine import percentile
from bot.app import build_components
from bot.config import load_settings
from bot.core.communities import CommunityRef
from bot.core.worker import LEASE
from bot.handlers.slack.home import HomeTab
from bot.storage.identity import PersonRef
from bot.storage.jobs import JobQueue

WORKER_CLAIM = 16  # the worker's default concurrency: the most jobs one claim takes


class EveryChannel:
    """Slack's word on membership, as it would be for someone in every channel of their workspace."""

    async def memberships(self, person: PersonRef, communities: Sequence[CommunityRef]) -> dict[str, bool]:
        return {community.chat_id: True for community in communities}


async def timed(calls: list[Callable[[], Awaitable[Any]]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.perf_counter()
        await call()
        spent.append(time.perf_counter() - started)
    return spent


def summary(seconds: list[float], **extra: Any) -> dict[str, Any]:
    if not seconds:
        return {"count": 0, **extra}
    shares = (("p50", 0.5), ("p99", 0.99), ("max", 1.0))
    return {"count": len(seconds), **{k: round(percentile(seconds, q) * 1000, 1) for k, q in shares}, **extra}


async def probe(count: int) -> dict[str, Any]:
    rng = random.Random(7)
    sources = {"slack": EveryChannel()}
    async with build_components(
        load_settings(), migrate=False, start_worker=False, membership_sources=sources
    ) as components:
        database = components.database
        async with database.read() as session:
            teachers = (
                await session.execute(
                    text(
                        """SELECT p.workspace_id, p.platform_user_id FROM people p JOIN classes c ON c.teacher_id = p.id
                           WHERE p.platform = 'slack' GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT :n"""
                    ),
                    {"n": max(1, count // 5)},
                )
            ).all()
            parents = (
                await session.execute(
                    text(
                        """SELECT DISTINCT p.workspace_id, p.platform_user_id, p.id FROM people p
                           JOIN bookings b ON b.parent_id = p.id WHERE p.platform = 'slack' ORDER BY p.id LIMIT :n"""
                    ),
                    {"n": count},
                )
            ).all()
            classes = (
                await session.execute(
                    text(
                        """SELECT p.platform, p.workspace_id, p.platform_user_id, c.public_id, c.seats_taken
                           FROM classes c JOIN people p ON p.id = c.teacher_id WHERE c.seats_taken > 0
                           ORDER BY c.id"""
                    )
                )
            ).all()
        home = HomeTab(components.services, workspaces=None)  # type: ignore[arg-type]  # publishing is not timed
        people = [PersonRef("slack", user, workspace) for workspace, user in teachers]
        people += [PersonRef("slack", user, workspace) for workspace, user, _ in parents[: count - len(people)]]
        prefilled = len(people)
        if not people:  # an empty database: someone ClassBot never saw
            people = [PersonRef("slack", f"U-new-{n}", "TFILL0") for n in range(count)]
        views = []

        async def home_of(person: PersonRef) -> None:  # as a refresh draws it: what is kept of the person, then the tab
            views.append(await home.view_for(person, await components.services.languages.known_reader(person)))

        chosen = rng.sample(classes, min(count, len(classes)))
        # Once each, untimed: the first call of a kind reads catalogs and prepares statements.
        await home_of(people[0])
        views.clear()
        if chosen:
            await components.classes.roster(PersonRef(chosen[0][0], chosen[0][2], chosen[0][1]), chosen[0][3])
        home_times = await timed([lambda p=p: home_of(p) for p in people])  # type: ignore[misc]
        roster_times = await timed(
            [
                lambda row=row: components.classes.roster(PersonRef(row[0], row[2], row[1]), row[3])  # type: ignore[misc]
                for row in chosen
            ]
        )
        queue = JobQueue(database)
        claimed: list[int] = []
        sweep_times = []
        for _ in range(count):
            moment = components.clock() + timedelta(minutes=rng.uniform(0, 48 * 60))
            started = time.perf_counter()
            jobs = await queue.claim(WORKER_CLAIM, LEASE, moment)
            sweep_times.append(time.perf_counter() - started)
            claimed.append(len(jobs))
            if jobs:
                async with database.write() as session:
                    await session.execute(
                        text(
                            """UPDATE jobs SET status = 'pending', locked_until = NULL, attempts = attempts - 1
                               WHERE id = ANY(:ids)"""
                        ),
                        {"ids": [job.id for job in jobs]},
                    )
        return {
            "app_home": summary(
                home_times,
                blocks=round(sum(len(v["blocks"]) for v in views) / max(1, len(views)), 1),
                teachers=len(teachers),
                prefilled_people=prefilled,
            ),
            "roster": summary(roster_times, bookings=round(sum(r[4] for r in chosen) / max(1, len(chosen)), 1)),
            "reminder_sweep": summary(sweep_times, jobs_claimed=round(sum(claimed) / max(1, len(claimed)), 1)),
        }


def main() -> None:
    print(json.dumps(asyncio.run(probe(int(sys.argv[1])))), flush=True)


if __name__ == "__main__":
    main()
