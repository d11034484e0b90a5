"""The Slack front end (slack-bolt 1.30): ``/classbot``, modals, the App Home tab, buttons, and the notifier.
Its HTTP endpoints and their guard are in ``bot.web.slack``.

frontend.py       the AsyncApp's lifecycle: Socket Mode or HTTP mode, one workspace or many, draining at stop
installations.py  which token speaks to which workspace; slack-sdk's install and state stores on our engine
notifier.py       the core's Notifier: direct messages and channel announcements
base.py           who acts and where, answering privately, refusals, each delivery's work done once
commands.py       /classbot and its subcommands
modal.py          the new-class and booking modals, and reading them; submissions.py: what submitting does
actions.py        button presses; account.py: connecting and disconnecting Zoom
home.py           the App Home tab; events.py: the Home tab opened, the bot invited to a channel
blocks.py         Block Kit rendering: escaping, buttons, cards, lists
"""
