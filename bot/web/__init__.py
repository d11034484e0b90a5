"""Every HTTP route of ClassBot, on one Starlette app (``app.create_web_app``): health and metrics, Zoom's OAuth
callback and webhook, Telegram's webhook, Slack's endpoints behind their guard, calendar files, and the pages a
browser sees. Routes only translate HTTP; the work happens in the core. A platform's module is imported only
when that platform is configured.
"""
