"""The product's words: every sentence and button label a person reads that more than one part of ClassBot says,
written once, so Telegram and Slack cannot drift apart.

classes.py   how a class and a booking read: the card, a time, seats, what a Book request did, a start link
labels.py    button labels, and the buttons a class, a booking or a choice of language offers (typed actions)
replies.py   what the person who acted is told: outcomes, the connect link, "forget me", the language menu
roster.py    a class's roster: its lines, its notes and the teacher's buttons
refusals.py  refusals several use cases give

These are ``Text`` and ``Message`` values (``bot.i18n.texts``, ``bot.core.messages``): untranslated, put into the
reader's language at the edge. A front end only formats them (HTML for Telegram, mrkdwn and Block Kit for
Slack); words only one front end says (its help, its form labels) stay with it. ``tests/i18n/test_words_once.py``
checks that no sentence is written twice.
"""
