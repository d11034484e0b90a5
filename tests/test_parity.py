"""The same product in both chats: every use case a front end may call is reachable from Telegram and from Slack.

The use cases are the public async methods of the services in ``Services`` (``bot.core.services``), less the
plumbing no person asks for (health, delivery records, Telegram's conversation state, Zoom's webhooks). A use case
is reachable on a platform when that platform's handlers call it: ``<…>.<service>.<method>(…)`` (through
``self.core``, a service kept on ``self``, or a local name spelled as the service), found by reading the
handlers' source with ``ast``, not by importing them. A use case a platform reaches another way is listed in
``NOT_CALLED`` with the reason; anything else missing fails, naming the use case and the platform.
"""

from __future__ import annotations

import ast
import inspect
import typing
from pathlib import Path

import pytest

from bot.core.services import Services

HANDLERS = Path(__file__).resolve().parents[1] / "bot" / "handlers"
PLATFORMS = ("telegram", "slack")

# Services that are plumbing, not something a person asks for.
PLUMBING = frozenset({"catalogs", "metrics", "health", "inbound", "conversations", "zoom_events"})

# (service.method, platform) -> why that platform's chat handlers do not call it.
NOT_CALLED: dict[tuple[str, str], str] = {
    ("bookings.calendar", "slack"): "on Slack the .ics is behind calendar_links' link, not an uploaded file",
    ("calendar_links.issue", "telegram"): "Telegram sends the .ics itself, as a document (bookings.calendar)",
    ("reports.roster_csv", "slack"): "on Slack the .csv is behind roster_links' link, not an uploaded file",
    ("roster_links.issue", "telegram"): "Telegram sends the .csv itself, as a document (reports.roster_csv)",
    ("roster_links.roster_csv", "telegram"): "the web route behind the link (bot/web/downloads.py)",
    ("roster_links.roster_csv", "slack"): "the web route behind the link (bot/web/downloads.py)",
    ("bookings.cancel_question", "slack"): "Slack asks in the button's own confirm dialog",
    ("classes.set_timezone", "slack"): "Slack gives each person's timezone (users.info tz); no command needed",
    ("communities.may_publish", "slack"): "Slack's form makes the class and tells the teacher, in their direct "
    "messages, why it was not announced (publish's refusal); Telegram's group line has no such place",
    ("communities.is_set_up", "telegram"): "a group's publish buttons come from the core; Slack's form asks first",
    ("languages.known_reader", "telegram"): "every Telegram update carries the language; Slack's must be asked",
    ("languages.of_reader", "slack"): "Slack's locale costs a call, so it is asked only while needed: languages.reader",
    (
        "languages.reader",
        "telegram",
    ): "every Telegram update carries the language (of_reader); Telegram tells no zone",
    ("classes.choose_listing_age", "telegram"): "Telegram lists for the age asked each time (/classes 8)",
    ("languages.ask_zone_once", "slack"): "Slack gives each person's timezone (users.info tz, languages.reader)",
    ("languages.choose_zone", "slack"): "Slack gives each person's timezone (users.info tz, languages.reader)",
    ("bookings.ensure_own_confirmed", "telegram"): "a check inside calendar_links.issue",
    ("bookings.ensure_own_confirmed", "slack"): "a check inside calendar_links.issue",
    ("calendar_links.calendar", "telegram"): "the web route behind the link (bot/web/downloads.py)",
    ("calendar_links.calendar", "slack"): "the web route behind the link (bot/web/downloads.py)",
    **{
        (f"payments.{method}", "slack"): "a Slack parent pays by card on Stripe's Checkout page (payments.checkout); "
        "Stripe's webhook (bot.payments_stripe) tells payments.paid"
        for method in ("invoice", "may_pay", "paid")
    },
    ("payments.checkout", "telegram"): "Telegram parents pay with an invoice in the chat (payments.invoice)",
    **{
        ("payments.checkout_ended", platform): "Stripe's webhook (bot.payments_stripe), not a chat"
        for platform in PLATFORMS
    },
    ("privacy.erase_after_zoom", "telegram"): "the worker's job after Zoom's data is gone",
    ("privacy.erase_after_zoom", "slack"): "the worker's job after Zoom's data is gone",
    **{
        ("classes.move_on_passed_starts", platform): "the worker's housekeeping (each class's kept next start)"
        for platform in PLATFORMS
    },
    **{
        (f"connect.{method}", platform): "a step of the web connect pages (bot/web/zoom.py), not of a chat"
        for method in (
            "authorize_redirect",
            "complete",
            "confirm",
            "confirmation_expired",
            "deauthorized",
            "disconnect_person",
        )
        for platform in PLATFORMS
    },
}


def use_cases() -> dict[str, set[str]]:
    """Each service's name in ``Services`` and its public async methods."""
    found: dict[str, set[str]] = {}
    for name, hint in typing.get_type_hints(Services).items():
        if name in PLUMBING:
            continue
        kind = next((arg for arg in typing.get_args(hint) if inspect.isclass(arg)), hint)
        if not inspect.isclass(kind):
            continue  # a plain callable (resend_waiting), not a service
        methods = {
            method
            for method, function in inspect.getmembers(kind, inspect.iscoroutinefunction)
            if not method.startswith("_")
        }
        if methods:
            found[name] = methods
    return found


def reached(platform: str, services: dict[str, set[str]]) -> set[str]:
    """``service.method`` for every call in the platform's handlers that names a service and one of its methods."""
    calls: set[str] = set()
    for source in sorted((HANDLERS / platform).glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            holder = node.func.value
            service = holder.attr if isinstance(holder, ast.Attribute) else getattr(holder, "id", None)
            if service in services and node.func.attr in services[service]:
                calls.add(f"{service}.{node.func.attr}")
    return calls


def test_the_scan_finds_the_services_and_their_calls() -> None:
    services = use_cases()
    assert {"classes", "bookings", "communities", "reports"} <= services.keys()
    assert {"reschedule", "roster", "edit", "settings"} <= services["classes"]
    assert "classes.roster" in reached("slack", services)
    assert "classes.reschedule" in reached("telegram", services)
    for platform in PLATFORMS:  # a class is edited on both: its settings read into a menu or a form, then saved
        assert {"classes.edit", "classes.settings"} <= reached(platform, services)


def test_the_allow_list_names_only_real_use_cases() -> None:
    services = use_cases()
    stale = [key for key in NOT_CALLED if key[0].split(".")[1] not in services.get(key[0].split(".")[0], set())]
    assert not stale, f"allowed but no longer a use case: {stale}"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_use_case_has_an_entry_point(platform: str) -> None:
    services = use_cases()
    found = reached(platform, services)
    wanted = {f"{service}.{method}" for service, methods in services.items() for method in methods}
    missing = sorted(case for case in wanted - found if (case, platform) not in NOT_CALLED)
    assert not missing, f"no entry point on {platform} for: {', '.join(missing)}"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_nothing_allowed_is_actually_called(platform: str) -> None:
    """An allowance that is no longer needed is taken off the list, so the list stays short and true."""
    found = reached(platform, use_cases())
    needless = sorted(case for case, where in NOT_CALLED if where == platform and case in found)
    assert not needless, f"{platform} calls these now; remove them from NOT_CALLED: {needless}"
