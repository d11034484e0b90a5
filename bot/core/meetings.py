"""Each class's one Zoom meeting: found or created when first needed, checked before its links are sent again.

Exactly one meeting per class, even with several workers in several processes and crashes at any moment:

1. A short write transaction gives the class a *marker* (random, stored before Zoom is called) and lets one
   caller *claim* the creation for a minute (a conditional UPDATE; no lock is held while Zoom answers).
   Everyone else gets ``MeetingNotReady`` and their job tries again in a moment.
2. The claimer first looks for a meeting whose agenda carries the marker (a crash after Zoom's create and
   before our commit leaves exactly such a meeting) and adopts it; only if there is none does it create one.
3. It stores the meeting id; if somehow another meeting was stored meanwhile, it deletes its own.

Links: a licensed host gives each booked child a personal registrant link, a basic host the meeting's
join_url. A start_url is fetched fresh every time it is needed (it logs its holder in as the host).

Zoom adds one registrant address at most 3 times a UTC day, and an add whose answer was lost (a 502 or a dropped
connection after Zoom acted) counts like any other. When an add meets that cap, the registrant is looked up by
the booking's address instead (``ZoomClient.find_registrant``): Zoom already holds it after a lost answer, and
its join_url is the parent's link the same day. Only when it is not there, or the teacher's token predates the
lookup's scope (``ZoomScopeMissing``), does the link wait for 00:00 UTC as the cap says.

A meeting deleted in Zoom is normally learned from the ``meeting.deleted`` webhook at once. Without it, any call
Zoom answers with "meeting not found" (3001, a 404 on the meeting…) replaces the meeting at once, by the same path
as the webhook (``replace``): one new meeting, every booked parent gets its link, the teacher is told once. A
licensed host's link is a registrant call, so a booking after the deletion finds out and gets the new link within
seconds. A basic host's link needs no call: before links go out the meeting is checked at Zoom, at most once a
minute per meeting (a burst of bookings would otherwise spend half of the teacher's Zoom request budget on the
same check), and a link handed out on the strength of an earlier check is followed by a check when that minute
is up (``check``): a link handed out after a deletion is dead for about a minute at most. A personal link made
earlier is checked the same way before it is sent again (a reminder), so a reminder never carries a dead link.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.zoom_answers import Step, action_for
from bot.i18n.texts import tr
from bot.storage.bookings import BookingMarks, Bookings, PersonalLink
from bot.storage.cipher import SecretCipher
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.models import Booking, Class
from bot.storage.people import People
from bot.storage.zoom_connections import ConnectionState, ZoomConnections
from bot.support.clock import Clock
from bot.support.crash_points import CrashPoint, CrashPoints
from bot.support.grouped import GroupedWrites
from bot.support.keyed_locks import KeyedLocks
from bot.support.metrics import Metrics
from bot.zoom.client import ZoomClient
from bot.zoom.credentials import ZoomAccount
from bot.zoom.errors import ZoomError, ZoomRateLimited, ZoomReconnectNeeded, ZoomScopeMissing
from bot.zoom.models import Meeting, MeetingRequest, MeetingUpdate, Registrant

log = logging.getLogger(__name__)

_CLAIM = timedelta(minutes=1)
# How long a meeting found at Zoom is trusted to still be there (see the module docstring): also the longest a
# basic host's parent holds a dead link without the webhook, give or take the time the check takes to run.
TRUST_CHECKED = timedelta(minutes=1)
MARKER_PREFIX = "classbot:"


class MeetingNotReady(Exception):
    """Another worker is creating this class's meeting right now; try again in a moment."""


class ZoomNotConfigured(Exception):
    """This ClassBot has no Zoom app, so classes have no Zoom meetings."""


@dataclass(frozen=True, slots=True)
class MeetingRef:
    meeting_id: str
    join_url: str = field(repr=False)
    created: bool  # a new meeting: links sent before it are dead


@dataclass(frozen=True, slots=True)
class LinkPlan:
    """What finding a booking's join link needs, read inside a caller's transaction: a job that sends a link
    reads the booking, its class and the teacher's account once, not once for each step."""

    booking_id: int
    class_id: int
    child: str
    booking_public_id: str
    stored_link: str | None = field(repr=False)  # the personal link made earlier, if any
    account: ZoomAccount | None  # the teacher's, when a link must still be made
    meeting: MeetingRef | None = field(repr=False)  # the class's stored meeting, if it has one


class MeetingKeeper:
    def __init__(
        self,
        database: Database,
        cipher: SecretCipher,
        zoom: ZoomClient | None,
        *,
        clock: Clock,
        public_url: str,
        metrics: Metrics | None = None,
        crash_points: CrashPoints | None = None,
    ) -> None:
        self._metrics = metrics
        self._crash_points = crash_points or CrashPoints()
        self._database = database
        self._cipher = cipher
        self._zoom = zoom
        self._clock = clock
        host = urlsplit(public_url).hostname or "localhost"
        # Zoom needs an email per registrant; parents gave none, so each booking gets a stable address that
        # Zoom never writes to (registrant emails are off) and that identifies the booking in Zoom's reports.
        self._registrant_domain = host if "." in host else "classbot.example"
        self._creating = KeyedLocks()
        self._checked_at: dict[str, datetime] = {}  # meeting id → when Zoom last confirmed it exists
        self._checking = KeyedLocks()
        self._check_queued: dict[str, datetime] = {}  # meeting id → the confirmation a queued check follows up
        # A burst's link jobs keep their personal links together (``GroupedWrites``): a round trip per group.
        self._personal_links = GroupedWrites(self._keep_personal_links)

    @property
    def zoom(self) -> ZoomClient:
        if self._zoom is None:
            raise ZoomNotConfigured("Zoom is not configured")
        return self._zoom

    async def account_of_teacher(self, teacher_id: int) -> ZoomAccount:
        async with self._database.read() as session:
            return await self._account(session, teacher_id)

    async def account_for_class(self, class_id: int) -> ZoomAccount:
        """The Zoom account of the class's teacher (one read)."""
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
            if cls is None:
                raise LookupError("class not found")
            return await self._account(session, cls.teacher_id)

    async def _account(self, session: AsyncSession, teacher_id: int) -> ZoomAccount:
        return _working(await ZoomConnections(session, self._cipher).state_of_person(teacher_id))

    async def ensure(self, class_id: int) -> MeetingRef:
        """The class's meeting, created if it has none (see the module docstring for the protocol).

        Callers in this process wait for each other instead of failing with ``MeetingNotReady``.
        """
        async with self._creating.hold(class_id):
            return await self._ensure(class_id)

    async def _ensure(self, class_id: int) -> MeetingRef:
        now = self._clock()
        # The common case, a meeting already made, needs one read. Everything else that needs its own
        # connection is read before the write transaction: inside it, this connection may hold the class's row
        # while bookings queue on that row holding the pool's other connections.
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
            if cls is None:
                raise LookupError("class not found")
            stored = self._stored_meeting(cls)
            if stored is not None:
                return stored
            try:
                licensed = (await self._account(session, cls.teacher_id)).licensed
            except ZoomReconnectNeeded:
                licensed = False
        async with self._database.write() as session:
            classes = Classes(session)
            cls = await classes.get(class_id)
            if cls is None:
                raise LookupError("class not found")
            stored = self._stored_meeting(cls)
            if stored is not None:
                return stored
            if cls.meeting_marker is None:
                cls.meeting_marker = secrets.token_hex(8)
            if not await classes.claim_meeting_creation(class_id, now, now + _CLAIM):
                raise MeetingNotReady(f"the meeting of class {class_id} is being created")
            marker, teacher_id = cls.meeting_marker, cls.teacher_id
            request = await self._request_for(session, cls, licensed)
        try:
            account = await self.account_of_teacher(teacher_id)
            meeting = await self._find_marked(account, marker) or await self.zoom.create_meeting(account, request)
        except Exception:
            # Let the next attempt claim at once; if Zoom did create the meeting, its marker will find it.
            await self._release_claim(class_id)
            raise
        return await self._store(class_id, meeting)

    def _stored_meeting(self, cls: Class) -> MeetingRef | None:
        if cls.meeting_id is None or cls.meeting_join_url_enc is None:
            return None
        return MeetingRef(cls.meeting_id, self._cipher.decrypt(cls.meeting_join_url_enc), created=False)

    async def _release_claim(self, class_id: int) -> None:
        async with self._database.write() as session:
            await Classes(session).release_meeting_claim(class_id)

    async def verified(
        self, class_id: int, *, known: MeetingRef | None = None, sending_to: int | None = None
    ) -> MeetingRef:
        """The meeting after checking it still exists at Zoom; a meeting gone there is replaced.

        ``known`` is the class's stored meeting when the caller has just read it (no need to read it again);
        ``sending_to`` the booking whose link the caller is about to send itself (see ``replace``).
        """
        ref, _ = await self._verified(class_id, known, sending_to)
        return ref

    async def _verified(
        self, class_id: int, known: MeetingRef | None, sending_to: int | None
    ) -> tuple[MeetingRef, bool]:
        """``verified``, and whether Zoom confirmed the meeting just now (else it is trusted from a recent check)."""
        ref = known if known is not None else await self.ensure(class_id)
        now = self._clock()
        checked = self._checked_at.get(ref.meeting_id)
        if ref.created:
            return ref, True
        if checked is not None and now - checked < TRUST_CHECKED:
            return ref, False
        async with self._checking.hold(ref.meeting_id):  # concurrent links of one meeting share one check
            checked_meanwhile = self._checked_at.get(ref.meeting_id)
            if checked_meanwhile is not None and checked_meanwhile != checked:
                return ref, True
            account = await self.account_for_class(class_id)
            try:
                await self.zoom.get_meeting(account, ref.meeting_id)
            except ZoomError as error:
                if action_for(error).step is not Step.REPLACE_MEETING:
                    raise
                await self.replace(class_id, ref.meeting_id, sending_to=sending_to)
                return await self.ensure(class_id), True
            self._remember_checked(ref.meeting_id, now)
        return ref, True

    async def check(self, class_id: int, meeting_id: str) -> None:
        """Look at Zoom whether the class's meeting ``meeting_id`` still exists; replace it if not."""
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
            if cls is None or cls.status != "scheduled" or cls.meeting_id != meeting_id:
                return  # cancelled, or already replaced: nothing to check
            known = self._stored_meeting(cls)
        await self.verified(class_id, known=known)

    async def _check_later(self, class_id: int, ref: MeetingRef) -> None:
        """A link of ``ref`` goes out on the strength of an earlier check: check again when its trust runs out."""
        confirmed = self._checked_at.get(ref.meeting_id)
        if confirmed is None:
            return
        if self._check_queued.get(ref.meeting_id) == confirmed:
            return  # a burst's links share one check
        async with self._database.write() as session:
            await job_kinds.check_meeting(session, class_id, ref.meeting_id, confirmed + TRUST_CHECKED)
        if len(self._check_queued) >= 10_000:
            self._check_queued.clear()
        self._check_queued[ref.meeting_id] = confirmed

    def _remember_checked(self, meeting_id: str, now: datetime) -> None:
        if len(self._checked_at) >= 10_000:  # forget stale entries rather than grow with every class ever seen
            self._checked_at = {key: at for key, at in self._checked_at.items() if now - at < TRUST_CHECKED}
        self._checked_at[meeting_id] = now

    async def replace(self, class_id: int, meeting_id: str, *, sending_to: int | None = None) -> bool:
        """The meeting is gone at Zoom: forget it, tell the teacher once, send every booked parent a new link.

        The one path for a meeting that vanished, whoever found out: Zoom's ``meeting.deleted`` webhook, or a call
        Zoom answered "not found". The new meeting is made by the first link that needs it (``ensure``: one per
        class). ``sending_to`` is the booking whose link the caller sends itself, so its parent is not sent two.
        False if the meeting was already replaced (or the class no longer needs one): nobody is told twice.
        """
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
        if cls is None or cls.status != "scheduled" or not cls.zoom_enabled:
            return False
        gone = job_kinds.meeting_tag(cls)  # read before forgetting: it names the meeting that went
        if not await self.forget(class_id, meeting_id):
            return False
        now = self._clock()
        async with self._database.write() as session:
            confirmed = await Bookings(session).holding_seats(class_id, ("confirmed",))
            if confirmed:
                text = tr(
                    "The Zoom meeting of “{title}” was deleted in Zoom. Booked parents get a new link.", title=cls.title
                )
            else:
                text = tr(
                    "The Zoom meeting of “{title}” was deleted in Zoom. A new one will be made when needed.",
                    title=cls.title,
                )
            await tell(session, cls.teacher_id, Message(text), now=now, dedupe_key=f"meeting-gone:{gone}")
            for booking in confirmed:
                if booking.id != sending_to:
                    await job_kinds.send_link(session, booking.public_id, "new_link", now, f"after-delete:{gone}")
        log.info("class %s: Zoom meeting %s is gone; replacing it", class_id, meeting_id)
        return True

    async def forget(self, class_id: int, meeting_id: str) -> bool:
        """The meeting is gone at Zoom: drop it (and its personal links) so the next need creates a new one."""
        self._checked_at.pop(meeting_id, None)
        async with self._database.write() as session:
            forgotten = await Classes(session).forget_meeting(class_id, meeting_id)
            if forgotten:
                await Bookings(session).forget_personal_links(class_id)
        return forgotten

    async def join_link(self, booking_id: int) -> str:
        """The link this booking's parent uses: personal for a licensed host, else the meeting's own."""
        async with self._database.read() as session:
            booking = await Bookings(session).get(booking_id)
            if booking is None:
                raise LookupError("booking not found")
            cls = await Classes(session).get(booking.class_id)
            if cls is None:
                raise LookupError("class not found")
            plan = await self.plan_link(session, booking, cls)
        return await self.link_of(plan)

    async def plan_link(self, session: AsyncSession, booking: Booking, cls: Class) -> LinkPlan:
        """Read, in the caller's transaction, what ``link_of`` needs for ``booking`` of ``cls``."""
        connections = ZoomConnections(session, self._cipher)
        stored = booking.join_url_enc is not None
        return self.planned_link(booking, cls, None if stored else await connections.state_of_person(cls.teacher_id))

    def planned_link(self, booking: Booking, cls: Class, teacher_zoom: ConnectionState | None) -> LinkPlan:
        """``plan_link`` for a caller that read the teacher's Zoom connection along with the booking."""
        meeting = self._stored_meeting(cls)
        if booking.join_url_enc is not None:
            stored = self._cipher.decrypt(booking.join_url_enc)
            return LinkPlan(booking.id, cls.id, booking.child_name, booking.public_id, stored, None, meeting)
        account = _working(teacher_zoom)
        return LinkPlan(booking.id, cls.id, booking.child_name, booking.public_id, None, account, meeting)

    async def link_of(self, plan: LinkPlan, *, replaced: bool = False) -> str:
        """The join link ``plan`` leads to, making the meeting and the personal registrant link if need be.

        A meeting Zoom no longer has is replaced on the spot and the link made for the new one, once. A personal
        link made earlier is sent again only while its meeting still exists (checked as any link is).
        """
        if plan.stored_link is not None:
            if await self._still_current(plan):
                return plan.stored_link
            account = await self.account_for_class(plan.class_id)
            plan = dataclasses.replace(plan, stored_link=None, account=account, meeting=None)
        assert plan.account is not None  # a plan without a stored link always carries the account
        ref, confirmed_now = await self._verified(plan.class_id, plan.meeting, plan.booking_id)
        if not plan.account.licensed:
            if not confirmed_now:
                await self._check_later(plan.class_id, ref)
            return ref.join_url
        email = self._registrant_email(plan.booking_public_id)
        self._crash_points.reach(CrashPoint.BEFORE_REGISTRANT)
        try:
            registrant = await self._add_registrant(plan.account, ref.meeting_id, email, plan.child)
            self._crash_points.reach(CrashPoint.AFTER_REGISTRANT)
        except ZoomError as error:
            step = action_for(error).step
            if step is Step.REPLACE_MEETING and not replaced:
                await self.replace(plan.class_id, ref.meeting_id, sending_to=plan.booking_id)
                return await self.link_of(dataclasses.replace(plan, meeting=None), replaced=True)
            if step is not Step.MEETING_LINK:
                raise
            registrant = None  # the host's plan changed since connecting, or registration was turned off
        if registrant is None or registrant.join_url is None:
            if not confirmed_now:
                await self._check_later(plan.class_id, ref)
            return ref.join_url
        encrypted = self._cipher.encrypt(registrant.join_url)
        await self._personal_links.add(PersonalLink(plan.booking_id, registrant.registrant_id, encrypted))
        return registrant.join_url

    async def _add_registrant(self, account: ZoomAccount, meeting_id: str, email: str, child: str) -> Registrant:
        """Register ``email`` for the meeting; past Zoom's daily cap on that address, the registrant Zoom holds.

        The cap is met when earlier adds' answers were lost: Zoom made the registrant each time, so it is found by
        its address. Not found, or a token without the lookup's scope: the cap stands (the job waits for 00:00 UTC).
        """
        try:
            return await self.zoom.add_registrant(account, meeting_id, email=email, first_name=child)
        except ZoomRateLimited as capped:
            if not capped.daily_cap:
                raise
            try:
                found = await self.zoom.find_registrant(account, meeting_id, email=email)
            except ZoomScopeMissing as missing:
                log.info("registrant daily cap met; the token cannot list registrants (%s): waiting", missing)
                raise capped from None
            if found is None:
                raise
            log.info("registrant daily cap met in meeting %s; using the registrant Zoom already holds", meeting_id)
            return found

    def _registrant_email(self, booking_public_id: str) -> str:
        """The address Zoom knows a booking's registrant by (see ``__init__``)."""
        return f"parent-{booking_public_id.lower()}@{self._registrant_domain}"

    async def _still_current(self, plan: LinkPlan) -> bool:
        """Whether the meeting of ``plan``'s stored personal link still exists at Zoom (else it was replaced).

        Best effort: when Zoom cannot say now (down, the teacher's connection broken), the link kept is the best
        there is, and a reminder is not held back for it.
        """
        if plan.meeting is None:
            return True
        try:
            ref = await self.verified(plan.class_id, known=plan.meeting, sending_to=plan.booking_id)
        except (ZoomError, MeetingNotReady) as failure:
            async with self._database.read() as session:
                cls = await Classes(session).get(plan.class_id)
            if cls is None or cls.meeting_id != plan.meeting.meeting_id:
                raise  # replaced, but the new one is not made yet: the job tries again and makes a new link
            log.info("could not check the meeting of a stored link; sending it: %s", failure)
            return True
        return ref.meeting_id == plan.meeting.meeting_id

    async def _keep_personal_links(self, links: list[PersonalLink]) -> None:
        async with self._database.statement() as connection:
            await BookingMarks(connection).set_personal_links(links)

    async def start_link(self, class_id: int) -> str:
        """A fresh start_url (it expires about two hours after Zoom issues it)."""
        ref = await self.verified(class_id)
        account = await self.account_for_class(class_id)
        try:
            return (await self.zoom.get_meeting(account, ref.meeting_id)).start_url
        except ZoomError as error:
            if action_for(error).step is not Step.REPLACE_MEETING:
                raise
            await self.replace(class_id, ref.meeting_id)  # deleted since the check: once more, on a new one
        ref = await self.verified(class_id)
        return (await self.zoom.get_meeting(account, ref.meeting_id)).start_url

    async def cancel_registrant(self, booking_id: int) -> None:
        """Cancel the booking's registrant, read from the booking (jobs queued before they carried it)."""
        async with self._database.read() as session:
            booking = await Bookings(session).get(booking_id)
            cls = await Classes(session).get(booking.class_id) if booking else None
        registration = job_kinds.registration_of(booking, cls) if booking and cls else None
        if registration is not None:
            await self.cancel_registration(registration)

    async def cancel_registration(self, registration: job_kinds.Registration) -> None:
        """Cancel a registrant at Zoom, so their personal link stops letting anyone in.

        Everything needed comes with ``registration``: the booking, and its parent, may be gone already. A teacher
        who is gone too took their meetings with them (``/forgetme`` deletes those at Zoom first): nothing is left
        to cancel. A teacher whose connection broke or who disconnected is waited for, as every Zoom job is.
        """
        async with self._database.read() as session:
            teacher = await People(session).get(registration.teacher_id)
            state = await ZoomConnections(session, self._cipher).state_of_person(teacher.id) if teacher else None
        if teacher is None:
            return
        try:
            await self.zoom.cancel_registrant(
                _working(state),
                registration.meeting_id,
                registrant_id=registration.registrant_id,
                email=self._registrant_email(registration.booking_public_id),
            )
        except ZoomError as error:
            step = action_for(error).step
            if step is Step.REPLACE_MEETING:  # nothing left to cancel; the others need a meeting
                async with self._database.read() as session:
                    cls = await Classes(session).by_meeting(registration.meeting_id)
                if cls is not None:
                    await self.replace(cls.id, registration.meeting_id)
            elif step is not Step.MEETING_LINK and not _nothing_to_do(error):
                raise  # (without registration there was no registration to cancel)

    async def update(self, class_id: int, changes: MeetingUpdate) -> None:
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
        if cls is None or cls.meeting_id is None:
            return
        account = await self.account_of_teacher(cls.teacher_id)
        try:
            await self.zoom.update_meeting(account, cls.meeting_id, changes)
        except ZoomError as error:
            if action_for(error).step is Step.REPLACE_MEETING:
                await self.replace(class_id, cls.meeting_id)  # the new meeting is made with the class as it is now
            elif not _nothing_to_do(error):
                raise

    async def delete(self, class_id: int) -> None:
        """Delete the class's meeting at Zoom, then forget it here (its id, links and registrants): nothing of it
        is kept once Zoom confirmed, and a second call has nothing left to do."""
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
        if cls is None or cls.meeting_id is None:
            return
        account = await self.account_of_teacher(cls.teacher_id)
        try:
            await self.zoom.delete_meeting(account, cls.meeting_id)
        except ZoomError as error:
            if not _nothing_to_do(error):
                raise
        await self.forget(class_id, cls.meeting_id)

    async def _request_for(self, session: AsyncSession, cls: Class, licensed: bool) -> MeetingRequest:
        sessions = await Classes(session).sessions(cls.id)
        return MeetingRequest(
            topic=cls.title,
            start=sessions[0].starts_at,
            duration_minutes=cls.duration_minutes,
            timezone=cls.timezone,
            agenda=f"{cls.description[:1800]}\n\n[{MARKER_PREFIX}{cls.meeting_marker}]".strip(),
            weekly_sessions=cls.sessions_count if cls.sessions_count > 1 else None,
            registration=licensed,
        )

    async def _find_marked(self, account: ZoomAccount, marker: str) -> Meeting | None:
        tag = f"[{MARKER_PREFIX}{marker}]"
        for summary in await self.zoom.list_meetings(account, "upcoming"):
            if tag in summary.agenda:
                log.info("adopting Zoom meeting %s created before a crash", summary.id)
                return await self.zoom.get_meeting(account, summary.id)
        return None

    async def _store(self, class_id: int, meeting: Meeting) -> MeetingRef:
        async with self._database.write() as session:
            cls = await Classes(session).get(class_id, for_update=True)
            if cls is None:
                raise LookupError("class not found")
            if cls.meeting_id is not None and cls.meeting_id != meeting.id:
                duplicate = meeting
            else:
                duplicate = None
                cls.meeting_id = meeting.id
                cls.meeting_join_url_enc = self._cipher.encrypt(meeting.join_url)
                cls.meeting_claimed_until = None
                for position, occurrence in enumerate(meeting.occurrences):
                    await Classes(session).set_occurrence(class_id, position, occurrence.occurrence_id)
            stored = MeetingRef(cls.meeting_id, self._cipher.decrypt(cls.meeting_join_url_enc or b""), True)
        if duplicate is not None:
            log.warning("class %s already had a meeting; deleting the duplicate %s", class_id, duplicate.id)
            await self.zoom.delete_meeting(await self.account_of_teacher(cls.teacher_id), duplicate.id)
            return MeetingRef(stored.meeting_id, stored.join_url, created=False)
        self._remember_checked(meeting.id, self._clock())
        log.info("class %s has Zoom meeting %s", class_id, meeting.id)
        if self._metrics is not None:
            self._metrics.count("classbot_meetings_created_total")
        return stored


def _nothing_to_do(error: ZoomError) -> bool:
    """Zoom refused, but nothing is left to do and nobody needs to hear (an ended meeting cannot be deleted)."""
    action = action_for(error)
    if action.step is Step.GIVE_UP and not action.tell:
        log.info("nothing left to do in Zoom: %s", error)
        return True
    return False


def _working(connection: ConnectionState | None) -> ZoomAccount:
    """The account of a teacher's Zoom connection, or the reason no call can be made with it."""
    if connection is None or connection.status != "active":
        raise ZoomReconnectNeeded("the teacher has no working Zoom connection")
    return ZoomAccount(connection.id, connection.zoom_account_id, connection.licensed)
