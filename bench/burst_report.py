"""Burst results as Markdown: one column per run, and the derived figures the targets are judged on."""

from __future__ import annotations

from typing import Any

from bench.report import table

TELEGRAM_MESSAGES_PER_SECOND = 30  # Telegram's overall limit for one bot (broadcasting FAQ)
TEACHER_CHAT_PER_SECOND = 1  # and about one message per second in one chat


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} ms"


def comparison(runs: dict[str, dict[str, Any]]) -> str:
    """The main figures side by side, one column per run."""
    names = list(runs)
    rows: list[list[Any]] = []

    def row(label: str, pick: Any) -> None:
        rows.append([label, *(pick(runs[name]) for name in names)])

    row("parents (booked / teacher notices)", lambda r: f"{r['parents']} ({r['booked']} / {r['teacher_notices']})")
    row("final taps offered", lambda r: "all at once" if not r["rate"] else f"{r['rate']:g}/s")
    row("whole flow: first link opened → last join link", lambda r: f"{r['total_seconds']} s")
    row("booking phase: first final tap → last join link", lambda r: f"{r['booking_phase_seconds']} s")
    row("bookings/s (booking phase)", lambda r: r["bookings_per_second"])
    row("messages sent/s in the booking phase (limits on: ClassBot paces itself to 28/s)", _pace)
    for name in ("p50", "p95", "p99", "max"):
        row(f"tap → join link {name}", lambda r, n=name: ms(r["tap_to_link_ms"][n]))
    row("bot CPU per booking: booking phase / whole flow", _cpu)
    row("DB round trips per booking: booking phase / whole flow", _trips)
    row("DB statements per booking (booking phase)", lambda r: r["db_statements_per_booking"])
    row("bot peak RSS", lambda r: f"{r['bot_peak_rss_mb']} MB")
    row("machine CPU busy (open / book / name)", _busy)
    row("CPU s, whole flow: bot / fake Telegram / fake Zoom / driver", _processes)
    row("parents who got the bot's error (open / book / name)", _errors)
    return table(["", *names], rows)


def _pace(run: dict[str, Any]) -> str:
    return str(run.get("booking_phase_messages_per_second", "n/a"))


def _cpu(run: dict[str, Any]) -> str:
    return f"{run['bot_cpu_ms_per_booking']} / {run['bot_cpu_ms_per_booking_whole_flow']} ms"


def _trips(run: dict[str, Any]) -> str:
    return f"{run['db_round_trips_per_booking']} / {run['db_round_trips_per_booking_whole_flow']}"


def _busy(run: dict[str, Any]) -> str:
    return " / ".join(f"{value}%" for value in run["machine_cpu_busy_percent"].values())


def _processes(run: dict[str, Any]) -> str:
    used = run["cpu_seconds_by_process_whole_flow"]
    return f"{used['bot']} / {used['telegram']} / {used['zoom']} / {used['bench']}"


def _errors(run: dict[str, Any]) -> str:
    return " / ".join(str(span["errors"]) for span in run["answer_spans"].values())


def calls(runs: dict[str, dict[str, Any]], key: str, label: str) -> str:
    """Calls to one platform by method or endpoint and answer status, per booking, one column per run."""
    names = list(runs)
    kinds = sorted({kind for run in runs.values() for kind in run[key]})
    rows = [
        [
            f"`{kind}`",
            *(
                f"{runs[n][key].get(kind, 0)} ({runs[n][key].get(kind, 0) / max(1, runs[n]['booked']):.2f})"
                for n in names
            ),
        ]
        for kind in kinds
    ]
    return table([f"{label} (per booking)", *names], rows)


def problems(runs: dict[str, dict[str, Any]], top: int = 8) -> str:
    """What went wrong inside the bot during each run, from its own log (ids and numbers folded to N)."""
    lines = []
    for name, run in runs.items():
        found = list(run.get("bot_log_problems", {}).items())[:top]
        listed = "; ".join(f"{count} x `{text}`" for text, count in found) if found else "none"
        lines.append(f"- **{name}**: {listed}")
    return "The bot's own ERROR and WARNING log lines, by kind:\n\n" + "\n".join(lines)


def statements(run: dict[str, Any], top: int = 12) -> str:
    rows = [[count, f"`{text[:150]}`"] for count, text in run["top_statements_per_booking"][:top]]
    return table(["per booking", "statement (booking phase)"], rows)


def message_throughput(run: dict[str, Any]) -> dict[str, float]:
    """Parent-facing messages delivered per second while everyone was waiting, phase by phase.

    A booking needs, per parent, the class card (open), the child question (book), then the reply and the join
    link (name); and one notice in the teacher's chat, which Telegram lets through at about one per second.
    """
    spans = run["answer_spans"]
    delivered = {
        "open": spans["open"]["answered"],
        "book": spans["book"]["answered"],
        "name": 2 * spans["name"]["answered"],
    }
    rates = {name: delivered[name] / spans[name]["seconds"] for name in delivered if spans[name]["seconds"] > 0}
    total_seconds = sum(span["seconds"] for span in spans.values())
    rates["overall"] = sum(delivered.values()) / total_seconds if total_seconds else 0.0
    rates["sustained"] = sustained_messages_per_second(run)
    return {name: round(rate, 1) for name, rate in rates.items()}


def sustained_messages_per_second(run: dict[str, Any]) -> float:
    """Messages of every kind (parents' and the teacher's) Telegram accepted per second while they flowed: in
    each phase, from the first accepted message to the phase's last answer. The seconds before a phase's first
    message are the latency of one answer (the platforms' round trips), not a rate the bot keeps up."""
    spans = [span for span in run["answer_spans"].values() if span.get("messages_sent", 0) > 1]
    intervals = sum(span["messages_sent"] - 1 for span in spans)
    seconds = sum(span["seconds"] - span["first_message_seconds"] for span in spans)
    return intervals / seconds if seconds > 0 else 0.0
