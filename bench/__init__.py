"""ClassBot's benchmarks: run by hand (``make bench``), never as tests, each bounded to a few minutes.

Every benchmark drives the real ``python -m bot`` process over real HTTP on 127.0.0.1, against the project's
fake Telegram and Zoom servers, each in its own process, and records what it measured in ``bench/RESULTS.md``
(and ``bench/results.json``, the same numbers for machines).

    python -m bench.all              every one below (``make bench``), raw output kept in bench/runs/
    python -m bench.booking_burst    N parents book one class at once, Telegram webhook mode, limits on and off
    python -m bench.overhead_ratio   CPU per booking, whole flow, against a python-telegram-bot floor's
    python -m bench.slack_burst      the same on Slack (HTTP mode or Socket Mode), against a slack-bolt floor's;
                                     with Slack's limits on, the rate served against the rate Slack allows
    python -m bench.scale_curve      the burst on an empty and on a full database; /classes and /mybookings
    python -m bench.footprint        start-up time and idle memory

Shared parts: ``machine`` (what ran where, CPU and memory from /proc), ``report`` (the results files),
``hosts`` (starting the fakes and the bot as processes), ``telegram_host`` and ``zoom_host`` (the fakes
wrapped with a control API), ``crowd`` (parents played inside the Telegram host), ``pg_wire`` (counting
PostgreSQL round trips on the wire), ``postgres`` (scratch databases), ``stack`` (one complete world);
``slack_stack`` and ``slack_flow`` (the Slack world and its booking burst).
"""
