"""ClassBot's tables, as SQLAlchemy 2 typed mappings; Alembic migrations are generated from and checked against them.

Times are stored in UTC and come back timezone-aware (``UTCDateTime``) on SQLite and PostgreSQL alike. Secrets
(Zoom tokens, PKCE verifiers) and private links are stored only encrypted, in ``*_enc`` columns; the OAuth
``state`` itself is never stored, only its SHA-256, so a copy of the database cannot complete a connect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep migrations identical on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite keeps no offset, so it is put back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Person(Timestamped, Base):
    """Someone who talks to the bot on one platform; the same human on Telegram and Slack is two people."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    # Slack user ids are unique per workspace (team); Telegram has no workspaces and uses "".
    workspace_id: Mapped[str] = mapped_column(String(64), default="")
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # The language ClassBot speaks to them: the platform's (Telegram's language_code, Slack's locale) until
    # they pick one with /language; ``language_chosen`` then keeps the platform's from overriding their choice.
    language: Mapped[str | None] = mapped_column(String(16))
    language_chosen: Mapped[bool | None] = mapped_column(Boolean)
    # Their timezone: a teacher's new classes are read in it, and any reader sees their own time beside a class's
    # (from Slack's profile, /timezone, or the question Telegram parents are asked once: ``timezone_asked``).
    timezone: Mapped[str | None] = mapped_column(String(64))
    timezone_asked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Whether ``timezone`` is their own choice (/timezone, the question's answer), not only their platform's
    # word: a teacher's Zoom profile's zone comes between the two (``ClassService.default_timezone``).
    timezone_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The child's age they last chose to list classes for (Slack's Home tab menu); None: any age.
    listing_age: Mapped[int | None] = mapped_column(Integer)


class Child(Timestamped, Base):
    """A child's name a parent booked for, remembered so the next booking is one tap."""

    __tablename__ = "children"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    age: Mapped[int | None] = mapped_column(Integer)  # as the parent last gave it with the name; None: never given


class ZoomConnection(Timestamped, Base):
    """A teacher's authorization of ClassBot in their Zoom account: one token set per Zoom user."""

    __tablename__ = "zoom_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    zoom_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    zoom_account_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200))
    licensed: Mapped[bool] = mapped_column(Boolean)
    timezone: Mapped[str | None] = mapped_column(String(64))
    access_token_enc: Mapped[bytes] = mapped_column(LargeBinary)
    refresh_token_enc: Mapped[bytes] = mapped_column(LargeBinary)
    access_expires_at: Mapped[datetime]
    # Refresh from this moment on: a margin before expiry proportional to the token's lifetime.
    access_refresh_at: Mapped[datetime]
    scopes: Mapped[str] = mapped_column(Text, default="")
    # "active", or "reconnect_needed" once the refresh token died or scopes are missing.
    status: Mapped[str] = mapped_column(String(24), default="active")
    status_reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ZoomConnectionSharer(Timestamped, Base):
    """A person who shares another person's Zoom connection, which its holder agreed to (one person on Telegram
    and Slack, say): their classes use its one token set, so a refresh happens once for all who use it."""

    __tablename__ = "zoom_connection_sharers"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("zoom_connections.id", ondelete="CASCADE"), index=True)


class OAuthState(Base):
    """A pending Zoom authorization: single-use, short-lived, bound to the person who asked.

    A used state stays (``used_at``) until a day after it expires, so a replayed or late link can still be told
    to the person it belonged to; its verifier is useless by then (Zoom spends a code once).
    """

    __tablename__ = "oauth_states"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    code_verifier_enc: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # The asker's platform handle when they asked (Telegram's username), to name them on the confirmation page.
    handle: Mapped[str] = mapped_column(String(64), default="", server_default="")
    used_at: Mapped[datetime | None]


class ZoomConfirmation(Base):
    """A Zoom authorization that came back from Zoom and waits for the browser to confirm it (or to expire).

    Found by the SHA-256 of a secret held only in that browser's cookie; the form must also carry the CSRF token
    whose SHA-256 is kept here. ``grant_enc`` is the Zoom user's profile and, when no one holds that Zoom user
    yet, the token set Zoom issued: encrypted, and deleted when confirmed, cancelled or expired.
    """

    __tablename__ = "zoom_confirmations"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    handle: Mapped[str] = mapped_column(String(64), default="")
    # A newer authorization of the same Zoom user kills this one's tokens at Zoom, so it replaces this row.
    zoom_user_id: Mapped[str] = mapped_column(String(64), index=True)
    grant_enc: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ZoomHandover(Base):
    """Someone asked for a Zoom account another person holds: it moves to them only if the holder agrees."""

    __tablename__ = "zoom_handovers"

    public_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("zoom_connections.id", ondelete="CASCADE"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Community(Timestamped, Base):
    """A Telegram group or Slack channel an admin set up for announcing and booking classes."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64), default="")
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    # "anyone" may publish, or only "approved" teachers (community_publishers).
    publish_policy: Mapped[str] = mapped_column(String(16), default="anyone")
    # What the bot posts there on its own (announcements) is in this language; None is English.
    language: Mapped[str | None] = mapped_column(String(16))
    configured_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class CommunityPublisher(Base):
    """A teacher an admin approved to publish in a community whose policy is "approved"."""

    __tablename__ = "community_publishers"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class Class(Timestamped, Base):
    """A class a teacher lists: one session, or a weekly series that shares one Zoom meeting."""

    __tablename__ = "classes"
    # Upcoming classes in start order (see ``next_starts_at``): the lists walk it, the housekeeping finds the
    # passed ones at its start.
    __table_args__ = (
        Index(
            "ix_classes_next_start",
            "next_starts_at",
            "id",
            postgresql_where=text("next_starts_at IS NOT NULL"),
            sqlite_where=text("next_starts_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    # Taken with one conditional UPDATE (seats_taken + n <= seats): never more bookings than seats.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    sessions_count: Mapped[int] = mapped_column(Integer, default=1)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    min_bookings: Mapped[int | None] = mapped_column(Integer)
    zoom_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The ages the teacher means the class for (``bot.core.class_input.parse_ages``); None: no bound on that side.
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    # The price per child for the whole class, in the currency's minor unit (whole stars for ``XTR``); both None:
    # a free class. See ``bot.core.prices``.
    price_amount: Mapped[int | None] = mapped_column(Integer)
    price_currency: Mapped[str | None] = mapped_column(String(3))
    # The teacher's refund rule for a paid class: a parent who cancels until this many hours before the first
    # session gets the whole price back, nothing after (0: until it starts). See ``bot.core.refunds``.
    refund_hours: Mapped[int] = mapped_column(Integer, default=24, server_default=text("24"))
    # Who sees and books it besides its teacher, the parents booked and the members of the communities it is
    # published in: anyone holding its share link too (True), or no one else (False). See ``bot.core.audience``.
    anyone_with_link: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    # When its next scheduled session starts, kept here by whatever creates, moves or cancels its sessions and
    # moved on by the housekeeping once that session has passed (``bot.storage.next_starts``); None: a cancelled
    # class, or none left. Lists of classes are then one index walk, not a probe of sessions per class.
    next_starts_at: Mapped[datetime | None]
    # The request (a front end's key for the teacher's tap) that cancelled the class: the same request delivered
    # again is answered as its first delivery was, another one is told the class was already cancelled.
    cancel_request: Mapped[str | None] = mapped_column(String(128))
    meeting_id: Mapped[str | None] = mapped_column(String(32))
    # Written into the meeting's agenda before Zoom creates it, so a crash after Zoom's create and before our
    # commit can be recovered by finding the meeting instead of creating a second one.
    meeting_marker: Mapped[str | None] = mapped_column(String(64))
    # Who may create the meeting right now: one worker claims it for a minute, so creation is single-flight
    # across processes without holding a lock during Zoom's call.
    meeting_claimed_until: Mapped[datetime | None]
    meeting_join_url_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ClassSession(Base):
    """One meeting time of a class (a weekly class has several, matched to Zoom's occurrences)."""

    __tablename__ = "class_sessions"
    # (class_id, starts_at): a class's next session in one index probe, for cards and for lists of classes.
    __table_args__ = (
        UniqueConstraint("class_id", "position"),
        Index("ix_class_sessions_class_start", "class_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    occurrence_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")


class Publication(Base):
    """A class announced in a community, with the platform's reference to the announcement."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("class_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    message_ref: Mapped[str | None] = mapped_column(String(128))
    published_at: Mapped[datetime] = mapped_column(server_default=func.now())
    unpublished_at: Mapped[datetime | None]


class Booking(Timestamped, Base):
    """A seat a parent took for one child in one class."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_class_status", "class_id", "status"),
        Index("ix_bookings_parent_status", "parent_id", "status"),
        # The few bookings the teacher has not heard of yet, found per class without reading the others.
        Index(
            "ix_bookings_awaiting_digest",
            "class_id",
            postgresql_where=text("awaits_digest"),
            sqlite_where=text("awaits_digest"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    child_name: Mapped[str] = mapped_column(String(100))
    # "pending_approval", "awaiting_payment" (a seat held while the parent pays), "confirmed", "cancelled",
    # "declined" or "expired" (a hold the parent did not pay in time).
    status: Mapped[str] = mapped_column(String(16))
    # Until when an "awaiting_payment" seat is held for the parent; None for every other booking.
    hold_until: Mapped[datetime | None]
    # The card provider's payment page opened for the held seat (a Stripe Checkout Session id): closed at the
    # provider when the hold ends or the booking is cancelled, so no payment starts after the hold.
    checkout_session_id: Mapped[str | None] = mapped_column(String(255))
    # The same request (a double tap, a redelivered update) carries the same key and books once.
    request_key: Mapped[str] = mapped_column(String(128), unique=True)
    registrant_id: Mapped[str | None] = mapped_column(String(64))
    join_url_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Booked, and not yet in a digest sent to the teacher (see ``job_kinds.note_booking``).
    awaits_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Payment(Timestamped, Base):
    """Money a parent paid for a booking, and what was given back: kept for the accounts after the booking and
    the parent are gone (``booking_id`` and ``payer_id`` become empty; amount, date and provider ids stay)."""

    __tablename__ = "payments"
    # A provider's update or webhook delivered twice is one payment.
    __table_args__ = (UniqueConstraint("provider", "provider_charge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "telegram_stars", "telegram_card" (Telegram's card provider: the provider's charge id) or "stripe".
    provider: Mapped[str] = mapped_column(String(24))
    provider_charge_id: Mapped[str] = mapped_column(String(200))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"), index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # "paid", "refunding" (a refund queued) or "refunded".
    state: Mapped[str] = mapped_column(String(16))
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class WaitlistEntry(Timestamped, Base):
    """A parent waiting for a seat in a full class; promoted first come, first served."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_entries_class_status", "class_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    child_name: Mapped[str] = mapped_column(String(100))
    request_key: Mapped[str] = mapped_column(String(128), unique=True)
    # "waiting", "promoted" or "left".
    status: Mapped[str] = mapped_column(String(16), default="waiting")


class Attendance(Base):
    """Someone seen joining a session's Zoom meeting, for the teacher's roster."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "participant_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    participant_key: Mapped[str] = mapped_column(String(128))
    joined_at: Mapped[datetime]


class ProcessedEvent(Base):
    """An inbound event already handled (Zoom webhook, Slack retry): redeliveries are recognised and skipped."""

    __tablename__ = "processed_events"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)


class Job(Timestamped, Base):
    """Durable work (link delivery, reminders, Zoom retries, webhook effects) claimed by any process."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_run_at", "status", "run_at"),
        # The few waiting jobs that failed before (an unreachable chat, a lost Zoom connection), found without
        # reading every future reminder when their obstacle goes away (a person opening the bot's chat, say).
        Index(
            "ix_jobs_failed_waiting",
            "run_at",
            postgresql_where=text("status = 'pending' AND last_error IS NOT NULL"),
            sqlite_where=text("status = 'pending' AND last_error IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    # Two enqueues of the same work (a reminder, a link for a booking) collapse into one job.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Never a token or a link: those are read or fetched when the job runs.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run_at: Mapped[datetime]
    # When it first failed (empty until then): how long it has been failing, which outlives its retries.
    first_failed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # "pending", "running" (claimed until ``locked_until``), "done" or "dead".
    status: Mapped[str] = mapped_column(String(16), default="pending")
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ChatState(Base):
    """Where a person is in a multi-step chat flow (creating a class, naming a child); survives restarts."""

    __tablename__ = "chat_states"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
