"""The Telegram front end (python-telegram-bot 22): commands, flows, buttons, and the notifier."""
