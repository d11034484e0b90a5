"""The fake Telegram fails before a method runs (nothing sent) or after it (the message is delivered, the answer
is lost): the second kind is what a bot that retries turns into a message said twice."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
import pytest
from classbot_fakes.telegram import DROPPED, FakeTelegram


async def _send(fake: FakeTelegram, timeout: float = 5.0, **params: Any) -> httpx.Response:
    form = {key: value if isinstance(value, str) else json.dumps(value) for key, value in params.items()}
    async with httpx.AsyncClient(timeout=timeout) as client:
        return await client.post(f"{fake.url}/bot{fake.token}/sendMessage", data=form)


async def test_a_502_before_sending_delivers_nothing(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    fake_telegram.fail_next("sendMessage", 502)

    answer = await _send(fake_telegram, chat_id=ann.id, text="hi")

    assert answer.status_code == 502
    assert answer.json()["ok"] is False
    assert fake_telegram.messages(ann) == []
    assert [(c.fault, c.took_effect) for c in fake_telegram.calls if c.method == "sendMessage"] == [
        ("before 502", False)
    ]


async def test_a_502_after_sending_leaves_the_message_delivered(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    fake_telegram.fail_next("sendMessage", 502, after=True)

    answer = await _send(fake_telegram, chat_id=ann.id, text="hi")

    assert answer.status_code == 502
    assert [m.text for m in fake_telegram.messages(ann)] == ["hi"]
    [call] = [c for c in fake_telegram.calls if c.method == "sendMessage"]
    assert (call.fault, call.took_effect) == ("after 502", True)


async def test_a_response_lost_after_delivery_is_a_broken_connection(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    fake_telegram.fail_next("sendMessage", DROPPED, after=True)

    with pytest.raises(httpx.TransportError):
        await _send(fake_telegram, chat_id=ann.id, text="hi")

    assert [m.text for m in fake_telegram.messages(ann)] == ["hi"]


async def test_a_timeout_after_delivery_still_delivers(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    fake_telegram.fail_next("sendMessage", DROPPED, after=True, delay=1.5)

    with pytest.raises(httpx.ReadTimeout):
        await _send(fake_telegram, timeout=1.0, chat_id=ann.id, text="hi")

    assert [m.text for m in fake_telegram.messages(ann)] == ["hi"]


async def test_random_lost_answers_deliver_every_message(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    fake_telegram.set_fault_rates(lost_after=1.0, seed=5)

    for n in range(6):
        with contextlib.suppress(httpx.TransportError):
            assert (await _send(fake_telegram, chat_id=ann.id, text=f"#{n}")).status_code == 502

    assert len(fake_telegram.messages(ann)) == 6
    faults = {c.fault for c in fake_telegram.calls if c.method == "sendMessage"}
    assert faults == {"after 502", "after dropped"}


async def test_faults_can_be_kept_to_messages_whose_text_matches(fake_telegram: FakeTelegram) -> None:
    ann = fake_telegram.add_user("Ann")
    ann.start_private_chat()
    fake_telegram.set_fault_rates(server_error=1.0, seed=1, text=r"^Link: ")

    assert (await _send(fake_telegram, chat_id=ann.id, text="Hello")).status_code == 200
    assert (await _send(fake_telegram, chat_id=ann.id, text="Link: https://zoom.us/w/1")).status_code in (500, 502)
    assert [m.text for m in fake_telegram.messages(ann)] == ["Hello"]


async def test_an_answer_lost_after_a_call_that_failed_on_its_own_waits_for_a_call_that_works(
    fake_telegram: FakeTelegram,
) -> None:
    """A fault "after the effect" on a call refused anyway (here: a user who never opened the bot's chat) would
    hide that nothing happened; it strikes the next call that does take effect."""
    ann = fake_telegram.add_user("Ann")
    bob = fake_telegram.add_user("Bob")
    bob.start_private_chat()
    fake_telegram.fail_next("sendMessage", 502, after=True)

    refused = await _send(fake_telegram, chat_id=ann.id, text="hi Ann")
    lost = await _send(fake_telegram, chat_id=bob.id, text="hi Bob")

    assert refused.status_code == 403
    assert lost.status_code == 502
    assert [m.text for m in fake_telegram.messages(bob)] == ["hi Bob"]
    assert [(c.status, c.fault) for c in fake_telegram.calls if c.method == "sendMessage"] == [
        (403, None),
        (502, "after 502"),
    ]
