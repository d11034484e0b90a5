"""Ports for servers a test starts in another process, chosen where no outgoing connection can take them.

A port the kernel hands out for ``bind(0)`` comes from the ephemeral range, the same range every outgoing
connection (to PostgreSQL, to a test server) takes its local port from. Between closing the probe and the bot
binding it, such a connection can take the port and the bot exits with "address already in use". Below that
range only listeners bind, and each picks at random, so two test processes rarely pick the same port and the
probe catches the few that are already taken.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_LOWEST = 10_000
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now and no outgoing connection will take."""
    first_ephemeral = _first_ephemeral_port()
    if first_ephemeral - _LOWEST < 1_000:
        return _kernel_chosen_port()
    chooser = random.SystemRandom()
    for _ in range(100):
        port = chooser.randrange(_LOWEST, first_ephemeral)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {_LOWEST} and {first_ephemeral} after 100 tries")


def _first_ephemeral_port() -> int:
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _LOWEST  # unknown range: let the kernel choose


def _kernel_chosen_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
