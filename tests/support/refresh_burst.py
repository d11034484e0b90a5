"""A second ClassBot process for tests: waits for a go file, then calls Zoom N times at once for one account.

    python -m tests.support.refresh_burst GO_FILE CONNECTION:ACCOUNT:LICENSED N

Prints the email ``GET /users/me`` returned, once per call. Settings come from the environment.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from bot.app import build_components
from bot.config import load_settings
from bot.zoom.credentials import ZoomAccount


async def burst(go: Path, account: ZoomAccount, calls: int) -> list[str]:
    async with build_components(load_settings(), migrate=False, start_worker=False) as components:
        assert components.zoom is not None
        deadline = time.monotonic() + 30
        while not go.exists():
            if time.monotonic() > deadline:
                raise SystemExit("no go signal within 30 s")
            await asyncio.sleep(0.005)
        users = await asyncio.gather(*(components.zoom.client.get_me(account) for _ in range(calls)))
        return [user.email for user in users]


def main() -> None:
    go, account_arg, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    connection_id, account_id, licensed = account_arg.split(":")
    account = ZoomAccount(int(connection_id), account_id, licensed == "1")
    print("\n".join(asyncio.run(burst(Path(go), account, calls))))


if __name__ == "__main__":
    main()
