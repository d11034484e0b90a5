"""Playing the users' side: slash commands, button presses, modal submissions and closings, opening the App Home,
messages to the bot, inviting the bot to a channel, and raw events. Each action records what Slack records and
delivers to the bot what Slack would (see delivery.py), and returns the ``Delivery``.

Slack's rules kept here: a user types a command only where they are (a channel they belong to, or the app's DM);
a press needs a message or view the user can see; only the top view of a modal stack, with a submit button, is
submitted, with its required inputs filled; a trigger_id comes with every command and interaction; Slack retries
events only (same ``event_id``, ``retry_num`` + 1).
"""

from __future__ import annotations

import copy
from typing import Any

from . import chat, content, ids, payloads, submission
from .delivery import Deliverer, Via
from .records import Delivery, FakeSlackChannel, FakeSlackUser, SlackMessage, SlackView
from .state import ChannelRecord, SlackWorld, StoredMessage, UserRecord
from .wire import SlackError

UserRef = FakeSlackUser | str
ChannelRef = FakeSlackChannel | str


class SlackDriver:
    _world: SlackWorld
    _deliverer: Deliverer

    # -- lookups (the caller holds the lock) -----------------------------------------------------------------

    def _user(self, user: UserRef) -> UserRecord:
        user_id = user.id if isinstance(user, FakeSlackUser) else user
        found = self._world.users.get(user_id)
        if found is None:
            raise KeyError(f"no Slack user {user_id!r} in the fake")
        return found

    def _channel(self, channel: ChannelRef) -> ChannelRecord:
        channel_id = channel.id if isinstance(channel, FakeSlackChannel) else channel
        found = self._world.channels.get(channel_id)
        if found is None:
            raise KeyError(f"no Slack channel {channel_id!r} in the fake")
        return found

    def issue_trigger_id(self, user: UserRef, *, age: float = 0.0) -> str:
        """A trigger_id as if ``user`` had just acted (``age`` seconds ago: over 3 and views.open expires it)."""
        with self._world.lock:
            record = self._user(user)
            return self._world.issue_trigger(record.id, record.team_id, age=age)

    # -- commands and interactions ---------------------------------------------------------------------------

    async def slash(
        self,
        user: UserRef,
        text: str = "",
        *,
        channel: ChannelRef | None = None,
        via: Via = "auto",
        timeout: float = 10.0,
    ) -> Delivery:
        """``user`` types ``/classbot text`` in ``channel`` (default: the app's DM). A text or blocks answer in the
        ack is shown to the user as Slack shows it (an ephemeral message, unless ``response_type`` is in_channel)."""
        world = self._world
        with world.lock:
            record = self._user(user)
            where = world.open_im(record)[0] if channel is None else self._channel(channel)
            if record.id not in where.members:
                raise ValueError(f"{record.id} is not in {where.id}: a user types commands where they are")
            trigger = world.issue_trigger(record.id, record.team_id)
            response_url = world.issue_response_url(record.team_id, record.id, where.id, None)
            payload = payloads.slash_command(world, record, where, text, trigger_id=trigger, response_url=response_url)
            origin = world.response_urls[response_url.rsplit("/", 1)[1]]

        def show_answer(answer: Any) -> None:
            body = {"text": answer} if isinstance(answer, str) and answer else answer
            if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
                try:
                    chat.apply_response(world, origin, body, "ack")
                except SlackError as refusal:
                    raise ValueError(f"Slack would refuse the command's answer {body}: {refusal.error}") from None

        return await self._deliverer.deliver(
            "slash_commands", payload, via=via, trigger_id=trigger, on_answer=show_answer, timeout=timeout
        )

    async def press(
        self,
        user: UserRef,
        message_or_view: SlackMessage | SlackView,
        action_id_or_button_text: str,
        *,
        value: str | None = None,
        via: Via = "auto",
        timeout: float = 10.0,
    ) -> Delivery:
        """``user`` presses a button (found by action_id or label) or picks ``value`` in a select, in a message
        or a view: a ``block_actions`` interaction with a trigger_id (and a response_url for messages)."""
        world = self._world
        with world.lock:
            record = self._user(user)
            if isinstance(message_or_view, SlackView):
                view = world.views.get(message_or_view.id)
                if view is None or view.closed or view.user_id != record.id:
                    raise ValueError(f"view {message_or_view.id} is not open for {record.id}")
                element = content.find_element(
                    view.json.get("blocks") or [], action_id_or_button_text, where=f"view {view.id}"
                )
                trigger = world.issue_trigger(
                    record.id, record.team_id, view_id=view.id if view.type == "modal" else None
                )
                payload = payloads.block_actions(world, record, element, value, trigger_id=trigger, view=view)
            else:
                stored = self._visible_message(record, message_or_view)
                element = content.find_element(stored.blocks, action_id_or_button_text, where=f"message {stored.ts}")
                trigger = world.issue_trigger(record.id, record.team_id)
                url = world.issue_response_url(record.team_id, record.id, stored.channel, stored.ts)
                payload = payloads.block_actions(
                    world,
                    record,
                    element,
                    value,
                    trigger_id=trigger,
                    channel=world.channels[stored.channel],
                    message=chat.message_json(world, world.teams[record.team_id], stored),
                    ephemeral=stored.ephemeral_to is not None,
                    response_url=url,
                )
        return await self._deliverer.deliver("interactive", payload, via=via, trigger_id=trigger, timeout=timeout)

    def _visible_message(self, user: UserRecord, message: SlackMessage) -> StoredMessage:
        stored = self._world.find_message(message.channel, message.ts)
        if stored is None or stored.deleted:
            raise ValueError(f"message {message.ts} in {message.channel} is gone")
        channel = self._world.channels[stored.channel]
        if (stored.ephemeral_to or user.id) != user.id or (user.id not in channel.members and channel.kind != "public"):
            raise ValueError(f"{user.id} cannot see message {message.ts} in {message.channel}")
        return stored

    async def submit_view(
        self,
        user: UserRef,
        view: SlackView | str,
        values: dict[str, dict[str, Any]] | None = None,
        *,
        via: Via = "auto",
        timeout: float = 10.0,
    ) -> Delivery:
        """``user`` fills the modal's inputs with ``values`` ({block_id: {action_id: value}}: a string, an
        option's value, a date "YYYY-MM-DD", a list for multi-selects) and presses its submit button. The app's
        answer applies (``delivery.errors`` holds ``response_action: errors``; the modal then stays open)."""
        world = self._world
        with world.lock:
            record = self._user(user)
            stored = world.views.get(view.id if isinstance(view, SlackView) else view)
            stack = world.modal_stacks.get(record.id) or []
            if stored is None or stored.closed or stored.type != "modal" or stored.user_id != record.id:
                raise ValueError(f"no open modal {getattr(view, 'id', view)!r} for {record.id}")
            if stack[-1] != stored.id:
                raise ValueError(f"view {stored.id} is under another view: only the top view can be submitted")
            if stored.json.get("submit") is None:
                raise ValueError(f"view {stored.id} has no submit button")
            stored.json["state"] = {"values": submission.state_values(stored.json, values or {})}
            trigger = world.issue_trigger(record.id, record.team_id, view_id=stored.id)
            payload = payloads.view_submission(world, record, copy.deepcopy(stored.json), trigger_id=trigger)

        def close_or_keep(answer: Any) -> None:
            submission.apply_answer(world, stored, answer)

        return await self._deliverer.deliver(
            "interactive", payload, via=via, trigger_id=trigger, on_answer=close_or_keep, timeout=timeout
        )

    async def close_view(self, user: UserRef, *, via: Via = "auto", timeout: float = 10.0) -> Delivery | None:
        """``user`` closes their modal (the whole stack); ``view_closed`` goes to the app if it asked
        (``notify_on_close``)."""
        world = self._world
        with world.lock:
            record = self._user(user)
            stack = world.modal_stacks.pop(record.id, [])
            if not stack:
                raise ValueError(f"{record.id} has no modal open")
            top = world.views[stack[-1]]
            for view_id in stack:
                world.views[view_id].closed = True
            world.changes.notify()
            if not top.json.get("notify_on_close"):
                return None
            team = world.teams[record.team_id]
            payload = {
                "type": "view_closed",
                "team": payloads.team_ref(team),
                "user": payloads.user_ref(record),
                "api_app_id": world.app_id,
                "token": world.verification_token,
                "view": copy.deepcopy(top.json),
                "is_cleared": len(stack) > 1,
                "is_enterprise_install": False,
            }
        return await self._deliverer.deliver("interactive", payload, via=via, timeout=timeout)

    # -- events ----------------------------------------------------------------------------------------------

    async def open_home(self, user: UserRef, *, via: Via = "auto", timeout: float = 10.0) -> Delivery:
        """``user`` opens the app's Home tab: ``app_home_opened`` (with the published view, if any)."""
        world = self._world
        with world.lock:
            record = self._user(user)
            event: dict[str, Any] = {
                "type": "app_home_opened",
                "user": record.id,
                "channel": world.open_im(record)[0].id,
                "tab": "home",
            }
            home = world.views.get(world.home.get(record.id, ""))
            if home is not None:
                event["view"] = copy.deepcopy(home.json)
        return await self.send_event(event, team_id=record.team_id, via=via, timeout=timeout)

    async def say(
        self, user: UserRef, text: str, *, channel: ChannelRef | None = None, via: Via = "auto", timeout: float = 10.0
    ) -> Delivery:
        """``user`` writes ``text`` in ``channel`` (default: the app's DM): stored, and a ``message`` event."""
        world = self._world
        with world.lock:
            record = self._user(user)
            where = world.open_im(record)[0] if channel is None else self._channel(channel)
            if record.id not in where.members:
                raise ValueError(f"{record.id} is not in {where.id}")
            message = world.store(StoredMessage(where.id, ids.message_ts(), record.id, text, [], source="user"))
            channel_type = {"im": "im", "mpim": "mpim", "private": "group"}.get(where.kind, "channel")
            event = {
                "type": "message",
                "user": record.id,
                "text": text,
                "ts": message.ts,
                "channel": where.id,
                "channel_type": channel_type,
                "team": record.team_id,
                "event_ts": message.ts,
            }
        return await self.send_event(event, team_id=record.team_id, via=via, timeout=timeout)

    async def invite_bot(
        self,
        channel: ChannelRef,
        *,
        by: UserRef | None = None,
        notify: bool = True,
        via: Via = "auto",
        timeout: float = 10.0,
    ) -> Delivery | None:
        """The bot joins ``channel`` (invited by ``by``, default its first manager or member); the app gets
        ``member_joined_channel`` unless ``notify`` is False."""
        world = self._world
        with world.lock:
            record = self._channel(channel)
            if record.is_dm:
                raise ValueError(f"{record.id} is a DM: the bot is in it already")
            inviter = self._user(by) if by is not None else world.users[(record.managers or record.members)[0]]
            record.bot_member = True
            world.changes.notify()
            team = world.teams[record.team_id]
            event = {
                "type": "member_joined_channel",
                "user": team.bot_user_id,
                "channel": record.id,
                "channel_type": "G" if record.kind == "private" else "C",
                "team": team.id,
                "inviter": inviter.id,
            }
        if not notify:
            return None
        return await self.send_event(event, team_id=record.team_id, via=via, timeout=timeout)

    async def send_event(
        self, event: dict[str, Any], *, team_id: str | None = None, via: Via = "auto", timeout: float = 10.0
    ) -> Delivery:
        """Any Events API event, in its ``event_callback`` envelope."""
        with self._world.lock:
            team = self._world.teams[team_id or self._world.default_team]
            payload = payloads.event_callback(self._world, team, event)
        return await self._deliverer.deliver("events_api", payload, via=via, timeout=timeout)

    async def redeliver(
        self, delivery: Delivery, *, reason: str = "http_timeout", via: Via = "auto", timeout: float = 10.0
    ) -> Delivery:
        """Slack's retry of an event (same ``event_id``, retry number + 1, ``reason`` such as "http_timeout",
        "http_error" or "unknown_error"); Slack retries nothing else."""
        if delivery.kind != "events_api":
            raise ValueError(f"Slack retries events only, not {delivery.kind}")
        return await self._deliverer.deliver(
            "events_api",
            delivery.payload,
            via=via,
            retry_num=delivery.retry_num + 1,
            retry_reason=reason,
            timeout=timeout,
        )
