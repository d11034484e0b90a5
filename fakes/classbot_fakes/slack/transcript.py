"""Reading and waiting for what the bot did: messages per channel and DM (ephemeral ones included, marked),
views opened, pushed, updated and published, files uploaded, Web API calls, deliveries and Socket Mode acks.

Waits wake on every change of the fake's state (never a fixed sleep) and give up after ``timeout`` seconds with a
TimeoutError that says what there is. Predicates run under the fake's lock: keep them quick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .records import (
    ACK_DEADLINE,
    Ack,
    Delivery,
    FakeSlackChannel,
    FakeSlackUser,
    SlackCall,
    SlackFile,
    SlackMessage,
    SlackView,
)
from .state import SlackWorld

T = TypeVar("T")
Where = FakeSlackUser | FakeSlackChannel | str
MessagePredicate = Callable[[SlackMessage], bool]
ViewPredicate = Callable[[SlackView], bool]


class Transcript:
    _world: SlackWorld

    def _channel_id(self, where: Where) -> str:
        """A channel's id; a user (or user id) means the user's DM with the app."""
        ref = where.id if isinstance(where, (FakeSlackUser, FakeSlackChannel)) else where
        return self._world.ims.get(ref, ref)

    def messages(self, where: Where, *, ephemeral: bool | None = None) -> list[SlackMessage]:
        """Every message in a channel or DM (a user means their DM with the app), oldest first, deleted ones
        too (``deleted``); ``ephemeral`` True or False keeps only ephemeral or only ordinary ones."""
        with self._world.lock:
            stored = self._world.messages.get(self._channel_id(where), [])
            return [m.snapshot() for m in stored if ephemeral is None or (m.ephemeral_to is not None) == ephemeral]

    def all_messages(self) -> list[SlackMessage]:
        """Every message anywhere, oldest first."""
        with self._world.lock:
            found = [m.snapshot() for stored in self._world.messages.values() for m in stored]
        return sorted(found, key=lambda m: float(m.ts))

    def dm(self, user: FakeSlackUser | str) -> list[SlackMessage]:
        """The bot's messages in the user's DM with the app."""
        with self._world.lock:
            bots = {team.bot_user_id for team in self._world.teams.values()}
            return [m for m in self.messages(user) if m.user in bots]

    def ephemeral_messages(self, user: FakeSlackUser | str) -> list[SlackMessage]:
        """Every ephemeral message shown to ``user``, wherever."""
        user_id = user.id if isinstance(user, FakeSlackUser) else user
        return [m for m in self.all_messages() if m.ephemeral_to == user_id]

    def home_view(self, user: FakeSlackUser | str) -> SlackView | None:
        with self._world.lock:
            view = self._world.views.get(self._world.home.get(_user_id(user), ""))
            return view.snapshot() if view is not None else None

    def opened_views(self, user: FakeSlackUser | str) -> list[SlackView]:
        """Every modal view opened or pushed for ``user``, oldest first, as they are now (see ``history``)."""
        with self._world.lock:
            return [self._world.views[v].snapshot() for v in self._world.opened.get(_user_id(user), [])]

    def current_view(self, user: FakeSlackUser | str) -> SlackView | None:
        """The modal view on top of ``user``'s stack, if a modal is open."""
        with self._world.lock:
            stack = self._world.modal_stacks.get(_user_id(user)) or []
            return self._world.views[stack[-1]].snapshot() if stack else None

    # -- waiting -----------------------------------------------------------------------------------------------

    async def wait_for_message(
        self,
        where: Where,
        predicate: MessagePredicate | None = None,
        *,
        ephemeral: bool | None = None,
        timeout: float = 10.0,
    ) -> SlackMessage:
        """The earliest message from the bot in ``where`` (a user: their DM) that matches ``predicate`` (and
        ``ephemeral``, when given) and that no earlier call returned; waits for one to arrive. Edits do not make a
        message new (see ``wait_for_edit``)."""
        world = self._world
        channel_id = self._channel_id(where)
        bots = {team.bot_user_id for team in world.teams.values()}

        def unseen_match() -> SlackMessage | None:
            for stored in world.messages.get(self._channel_id(where), []):
                if (stored.channel, stored.ts) in world.consumed or stored.user not in bots:
                    continue
                if ephemeral is not None and (stored.ephemeral_to is not None) != ephemeral:
                    continue
                snapshot = stored.snapshot()
                if predicate is None or predicate(snapshot):
                    world.consumed.add((stored.channel, stored.ts))
                    return snapshot
            return None

        found = await world.changes.wait_for(unseen_match, timeout)
        if found is None:
            texts = [(m.ts, (m.text or m.all_text)[:80]) for m in self.messages(where)][-5:]
            raise TimeoutError(f"no new matching message in {channel_id} within {timeout}s; there: {texts or 'none'}")
        return found

    async def wait_for_edit(
        self, message: SlackMessage, predicate: MessagePredicate | None = None, *, timeout: float = 10.0
    ) -> SlackMessage:
        """``message`` once it has been updated or deleted since this snapshot, and matches ``predicate``."""
        world = self._world

        def changed() -> SlackMessage | None:
            stored = world.find_message(message.channel, message.ts)
            if stored is None or (len(stored.history) == len(message.history) and stored.deleted == message.deleted):
                return None
            snapshot = stored.snapshot()
            return snapshot if predicate is None or predicate(snapshot) else None

        found = await world.changes.wait_for(changed, timeout)
        if found is None:
            raise TimeoutError(f"message {message.ts} in {message.channel} not changed within {timeout}s")
        return found

    async def wait_for_view(
        self, user: FakeSlackUser | str, predicate: ViewPredicate | None = None, *, timeout: float = 10.0
    ) -> SlackView:
        """The modal on top of ``user``'s stack once one is open and matches ``predicate``."""
        found = await self._world.changes.wait_for(lambda: _matching(self.current_view(user), predicate), timeout)
        if found is None:
            raise TimeoutError(f"no matching modal open for {_user_id(user)} within {timeout}s")
        return found

    async def wait_for_home(
        self, user: FakeSlackUser | str, predicate: ViewPredicate | None = None, *, timeout: float = 10.0
    ) -> SlackView:
        found = await self._world.changes.wait_for(lambda: _matching(self.home_view(user), predicate), timeout)
        if found is None:
            raise TimeoutError(f"no matching Home tab published for {_user_id(user)} within {timeout}s")
        return found

    async def wait_until(self, condition: Callable[[], T | None], *, timeout: float = 10.0) -> T:
        """The first truthy value of ``condition()``, re-evaluated after every change."""
        found = await self._world.changes.wait_for(lambda: condition() or None, timeout)
        if found is None:
            raise TimeoutError(f"condition not met within {timeout}s")
        return found

    # -- files -------------------------------------------------------------------------------------------------

    def files(self, where: Where | None = None) -> list[SlackFile]:
        """Files the bot uploaded and completed, oldest first: all of them, or those shared in ``where`` (a user
        means their DM with the app)."""
        with self._world.lock:
            channel = self._channel_id(where) if where is not None else None
            return [f for f in self._world.files if where is None or f.channel == channel]

    async def wait_for_file(self, where: Where, *, timeout: float = 10.0) -> SlackFile:
        """The first file shared in ``where`` (a user means their DM with the app)."""
        return await self.wait_until(lambda: next(iter(self.files(where)), None), timeout=timeout)

    # -- calls, deliveries, acks -------------------------------------------------------------------------------

    @property
    def calls(self) -> list[SlackCall]:
        with self._world.lock:
            return list(self._world.calls)

    def count(self, method: str | None = None, *, ok: bool | None = None) -> int:
        """How many Web API calls of ``method`` (all, if None) were made; ``ok`` counts only successes/failures."""
        return sum(1 for c in self.calls if (method is None or c.method == method) and (ok is None or c.ok == ok))

    def clear_calls(self) -> None:
        with self._world.lock:
            self._world.calls.clear()

    @property
    def deliveries(self) -> list[Delivery]:
        with self._world.lock:
            return list(self._world.deliveries)

    @property
    def acks(self) -> list[Ack]:
        """Every Socket Mode ack received, in the order the envelopes were sent."""
        with self._world.lock:
            return [e.ack for e in self._world.envelopes.values() if e.ack is not None]

    def late_acks(self, limit: float = ACK_DEADLINE) -> list[str]:
        """What was not acknowledged within ``limit`` seconds: envelopes without an ack or with a late one, and
        HTTP deliveries not answered 200 in time (bad-signature probes excepted)."""
        problems: list[str] = []
        with self._world.lock:
            for envelope in self._world.envelopes.values():
                if envelope.ack is None or envelope.ack.seconds > limit:
                    took = "no ack" if envelope.ack is None else f"ack after {envelope.ack.seconds:.2f}s"
                    problems.append(f"{envelope.kind} envelope {envelope.envelope_id}: {took}")
            for delivery in self._world.deliveries:
                if (
                    delivery.transport == "http"
                    and delivery.kind != "raw"
                    and not (delivery.acked and delivery.in_time)
                ):
                    problems.append(f"{delivery.kind} over HTTP: status {delivery.status}, {delivery.seconds}s")
        return problems

    def assert_acks_in_time(self, limit: float = ACK_DEADLINE) -> None:
        problems = self.late_acks(limit)
        assert not problems, f"not acknowledged within {limit}s: {problems}"


def _user_id(user: FakeSlackUser | str) -> str:
    return user.id if isinstance(user, FakeSlackUser) else user


def _matching(view: SlackView | None, predicate: ViewPredicate | None) -> SlackView | None:
    return view if view is not None and (predicate is None or predicate(view)) else None
