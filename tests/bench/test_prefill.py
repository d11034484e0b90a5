"""What ``bench.prefill`` plans to write: the sizes asked for, and the unevenness of a real deployment (a few
busy teachers and parents, full classes with waitlists, past and future sessions, Telegram and Slack)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bench.prefill import _NOW, _jobs, plan


def test_the_plan_has_the_sizes_asked_for_and_uneven_people() -> None:
    out = plan(2000, 20_000)

    assert (len(out.classes), len(out.bookings)) == (2000, 20_000)
    seats = {row[0]: row[7] for row in out.classes}
    taken = Counter(row[2] for row in out.bookings)
    assert all(taken[class_id] <= seats[class_id] for class_id in taken)  # never more bookings than seats
    assert {row[1] for row in out.waitlist} <= {c for c in taken if taken[c] == seats[c]}  # only full classes wait
    assert out.waitlist
    per_teacher = Counter(row[2] for row in out.classes)
    assert max(per_teacher.values()) >= 3 * (2000 / len(per_teacher))  # a few teachers hold many classes
    per_parent = Counter(row[3] for row in out.bookings)
    assert max(per_parent.values()) >= 20
    assert Counter(per_parent.values())[1] > len(per_parent) / 5
    starts = [row[3] for row in out.sessions]
    assert min(starts) < _NOW < max(starts)
    assert {row[1] for row in out.people} == {"telegram", "slack"}
    assert {row[5] for row in out.bookings} == {"confirmed", "cancelled", "pending_approval"}


def test_classes_are_booked_by_people_of_their_own_platform_and_workspace() -> None:
    out = plan(500, 5000)

    where = {row[0]: (row[1], row[2]) for row in out.people}
    teacher_of = {row[0]: row[2] for row in out.classes}
    assert all(where[row[3]] == where[teacher_of[row[2]]] for row in out.bookings)
    place = {row[0]: (row[1], row[2]) for row in out.communities}
    assert all(place[community] == where[teacher_of[class_id]] for _, class_id, community in out.publications)


def test_no_prefilled_reminder_comes_due_while_a_benchmark_runs_on_the_database() -> None:
    # A prefilled class has no meeting in the fake Zoom: a reminder due in the measured burst would fail and retry.
    reminders = [job for job in _jobs(plan(2000, 20_000)) if job[1] == "reminder"]

    assert reminders
    assert min(job[4] for job in reminders) > _NOW + timedelta(hours=6)
