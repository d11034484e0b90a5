"""A reminder that goes out after its session has started (a platform was away, its messages waited): it says
the session has started, never "starts in 15 minutes" (see ``bot.core.timeliness``)."""

from __future__ import annotations

from bot.i18n.texts import Text, tr


def started_join(title: str, child: str) -> Text:
    """A parent's late reminder, with the join link."""
    return tr("“{title}” for {child} has started: join now with this link.", title=title, child=child)


def started(title: str, child: str) -> Text:
    """A parent's late reminder of a class without a Zoom link."""
    return tr("“{title}” for {child} has started.", title=title, child=child)


def started_host(title: str) -> Text:
    """The teacher's late reminder, with the start link."""
    return tr(
        "Your class “{title}” has started: start it now. "
        "This start link logs you in as the host and works for about two hours; do not share it.",
        title=title,
    )
