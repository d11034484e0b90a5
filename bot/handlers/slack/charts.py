"""The ``/classbot stats`` chart, uploaded as a PNG into the asking person's DM with the app, never a channel: a
file shared in a conversation is seen by everyone in it, and a channel's numbers are for its admins (as on
Telegram, where the chart goes to the private chat).

The upload is slack-sdk's ``files_upload_v2`` (files.getUploadURLExternal, the bytes, files.completeUploadExternal)
and needs the ``files:write`` scope; a workspace installed before ClassBot asked for it answers ``missing_scope``,
which is logged with what to do: the person has had the numbers as text already.
"""

from __future__ import annotations

import logging

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError

from bot.core.reports import chart_in_words, chart_png
from bot.core.weekly import WeeklyActivity
from bot.core.words.stats import CHART_TITLE
from bot.handlers.slack.base import person_of
from bot.i18n.texts import Text
from bot.i18n.translator import Translator

log = logging.getLogger(__name__)

FILENAME = "classbot-last-12-weeks.png"


async def send_chart(args: AsyncArgs, weeks: WeeklyActivity, t: Translator, comment: Text) -> None:
    """Draw the chart (in a worker thread, see ``chart_png``) and share it in the person's DM with ``comment``."""
    png = await chart_png(weeks, t)
    try:
        opened = await args.client.conversations_open(users=person_of(args).user_id)
        await args.client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=png,
            filename=FILENAME,
            title=t(CHART_TITLE),
            alt_txt=t(chart_in_words(weeks)),
            initial_comment=t(comment),
        )
    except SlackApiError as refused:
        if refused.response.get("error") != "missing_scope":
            raise
        log.error(
            "Slack refused to upload the stats chart (missing scope %s): reinstall the app with the scopes of "
            "slack-manifest.yaml",
            refused.response.get("needed"),
        )
