"""Which end-to-end tests check each row of the product contract (PRODUCT.md, "Core flows" 1 to 12), on each chat.

A row is one behaviour a person would check. Its tests drive the real process over HTTP against the test servers
(tests/telegram, tests/slack, and the drills of tests/reliability) and check the outcome there. A row one chat
does in its own way names that way in ``own``; it still needs a test on both. A row still missing a test on a
chat is in ``OPEN`` with what is missing. tests/test_product_coverage.py holds the map to these rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    id: str
    says: str
    telegram: tuple[str, ...]
    slack: tuple[str, ...]
    own: str = ""  # how the two chats differ, when they do


TG, SL, REL = "tests/telegram/", "tests/slack/", "tests/reliability/"
TG_E2E, SL_E2E = f"{TG}test_end_to_end.py::", f"{SL}test_end_to_end.py::"
TG_ROWS, SL_ROWS = f"{TG}test_product_rows.py::", f"{SL}test_product_rows.py::"
TG_FLOWS, SL_AUTH = f"{TG}test_flows.py::", f"{SL}test_authorization.py::"
TG_MAIN = f"{TG_E2E}test_teacher_connects_creates_and_parents_book_with_private_links"
SL_MAIN = f"{SL_E2E}test_a_class_made_in_the_form_is_announced_and_booked_with_links_sent_privately"
TG_GROUP = f"{TG_E2E}test_a_group_gets_announcements_and_lists_but_never_a_zoom_link"
TG_LICENSED = f"{TG_ROWS}test_a_licensed_class_books_personal_links_the_last_seat_once_and_moves_the_waitlist_up"
SL_LICENSED = f"{SL_ROWS}test_a_licensed_class_books_personal_links_the_last_seat_once_and_moves_the_waitlist_up"
TG_ZOOM_DOWN = f"{TG_ROWS}test_zoom_down_at_the_booking_the_seat_stands_and_the_link_follows"
SL_ZOOM_DOWN = f"{SL_ROWS}test_zoom_down_at_the_booking_the_seat_stands_and_the_link_follows"
TG_EVENTS = f"{TG_ROWS}test_zooms_events_are_told_in_the_private_chats"
SL_EVENTS = f"{SL_ROWS}test_zooms_events_are_told_by_direct_message_and_disconnect_revokes"
SL_REMINDED = f"{SL}test_reminders.py::test_a_class_starting_soon_reminds_privately_even_after_a_crash"

ROWS: tuple[Row, ...] = (
    # 1. Connect Zoom
    Row(
        "1.1",
        "/connect answers privately with a button to Zoom; consent comes back confirmed in the chat",
        (TG_MAIN,),
        (SL_MAIN,),
    ),
    Row(
        "1.2",
        "a declined consent is told clearly in the chat, nothing stored",
        (f"{TG}test_zoom_connect.py::test_a_declined_connect_is_told_in_the_chat",),
        (f"{SL}test_zoom_connect.py::test_a_declined_connect_is_told_in_a_direct_message",),
    ),
    Row(
        "1.3",
        "/disconnect revokes the token at Zoom and deletes it",
        (
            f"{TG}test_zoom_connect.py::test_disconnect_in_the_chat_revokes_at_zoom_and_a_second_one_says_none_is_connected",
        ),
        (SL_EVENTS,),
    ),
    Row(
        "1.4",
        "the teacher's timezone defaults to their Zoom profile's",
        (f"{TG}test_zoom_connect.py::test_a_teacher_with_no_timezone_of_their_own_gets_their_zoom_profiles",),
        (f"{SL}test_zoom_connect.py::test_the_new_class_form_reads_times_in_the_zoom_profiles_timezone",),
    ),
    # 2. Create a class
    Row(
        "2.1",
        "a guided creation with buttons (or a form) asks every field",
        (
            f"{TG_FLOWS}test_the_guided_newclass_survives_a_restart",
            f"{TG_FLOWS}test_the_guided_newclass_sets_approval_minimum_zoom_and_description",
        ),
        (SL_MAIN,),
        own="Telegram asks step by step in the chat; Slack opens a modal form",
    ),
    Row(
        "2.2",
        "the one-line form for power users, with its optional parts",
        (f"{TG_FLOWS}test_the_one_line_newclass_takes_settings_and_names_a_wrong_part",),
        (f"{SL_E2E}test_new_with_a_line_opens_the_form_filled_in_and_names_a_wrong_part",),
        own="Slack's line opens the form filled in",
    ),
    Row(
        "2.3",
        "every wrong field is named with what to fix",
        (f"{TG_E2E}test_bad_input_gets_clear_answers_and_the_bot_stays_up",),
        (SL_MAIN,),
    ),
    Row(
        "2.4",
        "a weekly class for N sessions",
        (TG_ZOOM_DOWN, f"{TG_FLOWS}test_the_guided_newclass_survives_a_restart"),
        (SL_ZOOM_DOWN,),
    ),
    Row(
        "2.5",
        "the result is a class card and a way to share it",
        (TG_MAIN,),
        (f"{SL}test_teacher_tools.py::test_a_teacher_shares_a_class_by_its_code_and_opens_it_to_anyone_who_has_it",),
        own="Telegram shares a t.me/BOTNAME?start= link; Slack a /classbot class CODE",
    ),
    Row("2.6", "made in a community group or channel, the class is announced there", (TG_GROUP,), (SL_MAIN,)),
    # 3. Book
    Row(
        "3.1",
        "the card shows title, teacher, time with its timezone, seats left and a Book button",
        (TG_LICENSED,),
        (SL_LICENSED,),
    ),
    Row(
        "3.2",
        "booking from a share link, a group card or /classes",
        (
            f"{TG}test_visibility.py::test_a_member_sees_the_class",
            f"{TG}test_visibility.py::test_a_member_books_from_the_group_card_and_a_replay_by_someone_else_books_nothing",
        ),
        (
            f"{SL_AUTH}test_a_member_of_the_channel_sees_its_class",
            f"{SL_AUTH}test_a_member_books_from_the_announcement",
        ),
    ),
    Row(
        "3.3",
        "the last seat asked for by two parents at once is booked once; the other waits",
        (TG_LICENSED,),
        (SL_LICENSED,),
    ),
    Row(
        "3.4",
        "a redelivered booking books once",
        (f"{REL}test_crash_points.py::test_a_booking_survives_a_crash_at_each_point",),
        (f"{SL}test_http_mode.py::test_forged_and_stale_requests_are_refused_and_a_redelivery_books_once",),
    ),
    Row(
        "3.5",
        "one meeting per class, made on the first booking (a weekly class: one recurring meeting, type 8)",
        (TG_LICENSED, TG_ZOOM_DOWN),
        (SL_LICENSED, SL_ZOOM_DOWN),
    ),
    Row("3.6", "a meeting deleted in Zoom is made again when next needed", (TG_ZOOM_DOWN,), (SL_ZOOM_DOWN,)),
    Row("3.7", "a licensed teacher's parents get personal registrant links", (TG_LICENSED,), (SL_LICENSED,)),
    Row("3.8", "a basic teacher's parents get the meeting's join_url", (TG_EVENTS,), (SL_EVENTS,)),
    Row(
        "3.9",
        "the teacher is told privately: new booking, n of m seats taken",
        (
            TG_LICENSED,
            f"{TG}test_languages.py::test_a_spanish_speaking_parent_books_in_spanish_and_switches_to_english",
        ),
        (SL_LICENSED,),
    ),
    Row(
        "3.10", "Zoom down: the booking stands, the link will follow, and it follows", (TG_ZOOM_DOWN,), (SL_ZOOM_DOWN,)
    ),
    # 4. Waitlist
    Row(
        "4.1",
        "a full class offers the waitlist",
        (f"{TG}test_class_edits.py::test_a_teacher_edits_a_class_and_the_parents_are_told", TG_LICENSED),
        (f"{SL}test_privacy.py::test_forgetme_frees_a_parents_seat_for_the_waitlist_and_deletes_them", SL_LICENSED),
    ),
    Row(
        "4.2",
        "a cancellation promotes the first waiting parent, who gets the link at once",
        (TG_LICENSED,),
        (SL_LICENSED,),
    ),
    # 5. Start the class
    Row(
        "5.1",
        "a start link on request, fresh from Zoom, to the teacher only, privately",
        (
            TG_MAIN,
            f"{TG}test_meeting_now.py::test_start_link_and_meeting_now_pressed_in_a_group_send_no_start_link_there",
        ),
        (SL_MAIN, f"{SL_AUTH}test_the_wrong_person_is_refused_clearly_and_nothing_changes"),
    ),
    Row(
        "5.2",
        "the teacher's reminder carries a fresh start link",
        (f"{TG}test_reminders.py::test_a_class_starting_soon_reminds_the_parent_and_the_teacher_privately",),
        (SL_REMINDED,),
    ),
    # 6. Reminders
    Row(
        "6.1",
        "before a session each booked parent gets the join link, privately, once",
        (f"{TG}test_reminders.py::test_a_class_starting_soon_reminds_the_parent_and_the_teacher_privately",),
        (SL_REMINDED,),
    ),
    Row(
        "6.2",
        "a reminder held back by the chat's outage arrives once, as 'has started'",
        (f"{REL}test_telegram_outage.py::test_a_reminder_held_back_by_telegram_502s_arrives_once_as_has_started",),
        (f"{REL}test_slack_outage.py::test_a_reminder_held_back_by_a_slack_outage_arrives_once_as_has_started",),
    ),
    Row(
        "6.3",
        "reminders survive restarts and are sent once however many instances run",
        (
            f"{REL}test_soak.py::test_a_soak_with_the_process_killed_five_times_loses_nothing",
            f"{REL}test_soak.py::test_two_processes_on_one_postgres_behind_one_webhook_stay_exact",
        ),
        (SL_REMINDED,),
    ),
    # 7. Manage
    Row(
        "7.1",
        "the teacher's classes with their roster and seats",
        (f"{TG}test_teacher_tools.py::test_a_teacher_moves_a_class_and_gets_its_roster_as_a_spreadsheet",),
        (f"{SL_E2E}test_teachers_manage_classes_and_parents_their_bookings",),
    ),
    Row(
        "7.2",
        "a message to all booked parents",
        (f"{TG_E2E}test_a_message_refused_by_telegram_arrives_when_the_parent_comes_back",),
        (f"{SL}test_parity.py::test_a_teacher_writes_to_the_booked_parents_by_direct_message",),
    ),
    Row(
        "7.3",
        "reschedule: the Zoom meeting moves and the parents are told",
        (f"{TG}test_teacher_tools.py::test_a_teacher_moves_a_class_and_gets_its_roster_as_a_spreadsheet",),
        (f"{SL}test_teacher_tools.py::test_a_teacher_moves_a_class_and_gets_its_roster_as_a_spreadsheet",),
    ),
    Row(
        "7.4", "cancel the class: its Zoom meeting is deleted and the parents are told", (TG_LICENSED,), (SL_LICENSED,)
    ),
    # 8. Parent's bookings
    Row(
        "8.1",
        "upcoming bookings with their links",
        (f"{TG_FLOWS}test_a_booking_survives_a_restart_and_the_parent_manages_it",),
        (f"{SL_E2E}test_teachers_manage_classes_and_parents_their_bookings",),
    ),
    Row(
        "8.2",
        "cancel a booking: the seat is freed and the Zoom registrant cancelled",
        (f"{TG_FLOWS}test_a_booking_survives_a_restart_and_the_parent_manages_it", TG_LICENSED),
        (f"{SL_E2E}test_teachers_manage_classes_and_parents_their_bookings", SL_LICENSED),
    ),
    Row(
        "8.3",
        "a calendar file (.ics) for the class",
        (f"{TG_FLOWS}test_a_booking_survives_a_restart_and_the_parent_manages_it",),
        (f"{SL_E2E}test_teachers_manage_classes_and_parents_their_bookings",),
        own="Telegram sends the .ics as a document; Slack a link to it",
    ),
    # 9. Communities
    Row("9.1", "only the group's admins may /setup (asked of the platform)", (TG_GROUP,), (SL_MAIN,)),
    Row(
        "9.2",
        "the admin chooses who may publish there and approves teachers",
        (f"{TG}test_teacher_tools.py::test_an_admin_keeps_publishing_to_approved_teachers_and_approves_one",),
        (f"{SL}test_teacher_tools.py::test_an_admin_keeps_publishing_to_approved_teachers_and_approves_one",),
    ),
    Row(
        "9.3",
        "/classes in the group lists its classes with buttons to the private chat",
        (TG_GROUP,),
        (SL_MAIN, f"{SL_AUTH}test_a_member_of_the_channel_sees_its_class"),
        own="Telegram's buttons are deep links; Slack shows the list to the asker only, with Book buttons",
    ),
    Row(
        "9.4",
        "admins take a class down; members cannot",
        (f"{TG_E2E}test_admins_take_a_class_down_and_members_cannot",),
        (f"{SL}test_teacher_tools.py::test_an_admin_takes_a_class_down_and_a_member_cannot",),
    ),
    Row(
        "9.5",
        "a group or channel never gets a Zoom link",
        (TG_GROUP, f"{TG}test_reminders.py::test_a_class_starting_soon_reminds_the_parent_and_the_teacher_privately"),
        (SL_MAIN, SL_REMINDED),
    ),
    # 10. Zoom's events (the rows a chat sees; signatures and validation are tests/zoom/test_webhook.py's)
    Row(
        "10.1",
        "app_deauthorized: the teacher is told, bookings kept",
        (TG_EVENTS,),
        (f"{SL_ROWS}test_removing_the_app_in_zoom_tells_the_teacher_and_keeps_the_bookings",),
    ),
    Row("10.2", "meeting.deleted: made again, the teacher told, parents get the new link", (TG_EVENTS,), (SL_EVENTS,)),
    Row("10.3", "meeting.updated: a time change is followed and the parents told", (TG_EVENTS,), (SL_EVENTS,)),
    Row("10.4", "meeting.started: booked parents are told it is live, with their link", (TG_EVENTS,), (SL_EVENTS,)),
    Row("10.5", "meeting.participant_joined: attendance on the roster", (TG_EVENTS,), (SL_EVENTS,)),
    # 11. Who sees a class
    Row(
        "11.1",
        "members of its communities see and book it; others are refused clearly",
        (f"{TG}test_visibility.py::test_someone_outside_the_group_is_refused_clearly_and_nothing_changes",),
        (f"{SL_AUTH}test_the_wrong_person_is_refused_clearly_and_nothing_changes",),
    ),
    Row(
        "11.2",
        "'anyone with the link', switched on and off by the teacher",
        (f"{TG}test_visibility.py::test_the_teacher_keeps_a_class_to_its_groups_and_opens_it_again",),
        (f"{SL}test_teacher_tools.py::test_a_teacher_shares_a_class_by_its_code_and_opens_it_to_anyone_who_has_it",),
    ),
    Row(
        "11.3",
        "a Zoom account held by one person moves only when they hand it over",
        (f"{TG}test_zoom_connect.py::test_a_held_zoom_account_moves_only_when_its_holder_hands_it_over",),
        (f"{SL}test_zoom_connect.py::test_a_held_zoom_account_moves_only_when_its_holder_hands_it_over",),
    ),
    Row(
        "11.4",
        "one person shares one Zoom connection between Telegram and Slack",
        (f"{SL}test_zoom_shared.py::test_the_holder_shares_their_zoom_account_and_both_sides_make_meetings_in_it",),
        (f"{SL}test_zoom_shared.py::test_the_holder_shares_their_zoom_account_and_both_sides_make_meetings_in_it",),
        own="one test drives both chats at once",
    ),
    # 12. Class details
    Row(
        "12.1",
        "an age range on the cards; lists filter by a child's age",
        (f"{TG_FLOWS}test_ages_on_the_card_filter_classes_and_ride_with_the_childs_name",),
        (f"{SL_E2E}test_ages_in_the_form_on_the_card_in_the_list_and_with_the_childs_name",),
    ),
    Row(
        "12.2",
        "a price, paid before the seat is kept; a seat held while paying",
        (
            f"{TG}test_payments.py::test_a_parent_pays_in_stars_and_then_gets_the_link",
            f"{TG}test_payments.py::test_a_seat_not_paid_in_time_goes_to_the_waitlist_and_the_old_invoice_is_refused",
        ),
        (
            f"{SL}test_stripe_payments.py::test_a_slack_parent_pays_by_card_and_gets_the_link_once",
            f"{SL}test_stripe_payments.py::test_an_abandoned_checkout_gives_the_seat_to_the_next_parent_waiting",
        ),
        own="Telegram Stars or cards; Stripe Checkout on Slack",
    ),
    Row(
        "12.3",
        "refunds by the teacher's rule",
        (f"{TG}test_payments.py::test_a_parent_cancelling_inside_the_teachers_refund_rule_is_refunded_once",),
        (
            f"{SL}test_stripe_payments.py::test_a_parent_cancelling_inside_the_teachers_refund_rule_is_refunded_through_stripe",
        ),
    ),
    Row(
        "12.4",
        "approval, minimum bookings, description and Zoom on/off set at creation",
        (f"{TG_FLOWS}test_the_guided_newclass_sets_approval_minimum_zoom_and_description",),
        (f"{SL_E2E}test_new_with_a_line_opens_the_form_filled_in_and_names_a_wrong_part",),
    ),
    Row(
        "12.5",
        "details edited after creation, the parents told",
        (f"{TG}test_class_edits.py::test_a_teacher_edits_a_class_and_the_parents_are_told",),
        (f"{SL}test_class_edits.py::test_a_teacher_edits_a_class_in_its_form_and_the_parents_are_told",),
    ),
    Row(
        "12.6",
        "a Zoom meeting added to a class made without one",
        (f"{TG}test_meeting_now.py::test_the_meeting_is_made_now_and_zoom_added_to_a_class_without_it",),
        (f"{SL}test_meeting_now.py::test_the_meeting_is_made_now_and_zoom_added_to_a_class_without_it",),
    ),
    Row(
        "12.7",
        "times in the reader's own timezone beside the class's",
        (f"{TG}test_reader_timezone.py::test_a_typed_zone_is_kept_and_cards_show_both_times",),
        (f"{SL}test_reader_timezone.py::test_a_parent_in_another_timezone_reads_both_times",),
    ),
)

# (row, chat) still without an end-to-end test, and what is missing.
OPEN: dict[tuple[str, str], str] = {}  # none left
