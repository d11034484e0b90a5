"""The offline playground (``python -m bot demo``): ClassBot against the package's own Zoom and Telegram test
servers, with a terminal chat in which one person plays the teacher, two parents and their group.

``stage`` builds the world (test servers, people, group, settings); ``playground`` runs the bot in it and reads
the terminal; ``commands`` parses what is typed; ``screen`` shows what the bot sends; ``clock`` lets the newcomer
jump ahead to a reminder instead of waiting a day for it.
"""
