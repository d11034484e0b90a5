"""One message, two languages: the class card, the booking confirmation and the link notice read right in English
and in Spanish, with plural forms and dates as each language writes them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.core.messages import Button, Message
from bot.core.views import BookingOutcome, BookingView, ClassView
from bot.core.words.classes import card_text, describe_outcome
from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import from_accept_language, supported
from bot.i18n.texts import Moment, Text, ntr, plain, tr
from bot.i18n.translator import Translator

START = datetime(2027, 3, 14, 15, 30, tzinfo=UTC)  # 16:30 in Madrid


@pytest.fixture(scope="module")
def english() -> Translator:
    return Catalogs().translator("en")


@pytest.fixture(scope="module")
def spanish() -> Translator:
    return Catalogs().translator("es")


def _class(*, seats: int = 8, seats_left: int = 3, sessions: int = 1) -> ClassView:
    return ClassView(
        "AbCdEf123456",
        "Chess",
        "",
        "Ann Lee",
        START,
        "Europe/Madrid",
        45,
        seats,
        seats_left,
        sessions,
        "scheduled",
        False,
    )


def test_the_class_card_in_english_and_spanish(english: Translator, spanish: Translator) -> None:
    card = card_text(_class())

    by_link = card_text(replace(_class(), anyone_with_link=True))

    assert english(card) == (
        "“Chess” with Ann Lee\nSun, Mar 14, 2027, 16:30 (Europe/Madrid), 45 min\n3 of 8 seats left\n"
        "For the members of the groups where it is announced."
    )
    assert spanish(card) == (
        "«Chess» con Ann Lee\ndom, 14 mar 2027, 16:30 (Europe/Madrid), 45 min\nquedan 3 de 8 plazas\n"
        "Para los miembros de los grupos donde se anuncia."
    )
    assert english(by_link).endswith("\n3 of 8 seats left\nAnyone with its link can book it.")
    assert spanish(by_link).endswith("\nquedan 3 de 8 plazas\nCualquiera con su enlace puede reservarla.")


def test_seats_left_take_the_plural_form_of_each_language(english: Translator, spanish: Translator) -> None:
    one = card_text(_class(seats=1, seats_left=1))

    assert english(one).split("\n")[2] == "1 of 1 seat left"
    assert spanish(one).split("\n")[2] == "queda 1 de 1 plaza"
    assert spanish(card_text(_class(seats_left=0))).split("\n")[2] == "completa: apúntate a la lista de espera"


def test_the_booking_confirmation_in_english_and_spanish(english: Translator, spanish: Translator) -> None:
    booked = BookingView("BkBkBk123456", "AbCdEf123456", "Chess", "Mia", "confirmed", START, "Europe/Madrid")
    outcome = describe_outcome(BookingOutcome((booked,), ("Leo",), False, False))

    assert english(outcome) == (
        "Booked: Mia in “Chess”. Your Zoom link follows here.\n"
        "The class is full: Leo is on the waitlist and gets the first free seat."
    )
    assert spanish(outcome) == (
        "Reservado: Mia en «Chess». Tu enlace de Zoom llegará aquí.\n"
        "La clase está completa: Leo está en la lista de espera y tendrá la primera plaza que quede libre."
    )


def test_a_queued_message_is_stored_untranslated_and_rendered_for_its_reader(
    english: Translator, spanish: Translator
) -> None:
    notice = Message(
        tr(
            "Reminder: “{title}” for {child} starts {when}.",
            title="Chess",
            child="Mia",
            when=Moment(START, "Europe/Madrid"),
        ),
        (Button(tr("Join the class on Zoom"), url="https://zoom.example/j/1"),),
    )
    stored = Message.from_payload(notice.to_payload())

    assert stored == notice
    assert english(stored.text) == "Reminder: “Chess” for Mia starts Sun, Mar 14, 2027, 16:30 (Europe/Madrid)."
    said = stored.render(spanish)
    assert said.text == "Recordatorio: «Chess» de Mia empieza el dom, 14 mar 2027, 16:30 (Europe/Madrid)."
    assert [button.label for button in said.buttons] == ["Entrar a la clase en Zoom"]


def test_a_message_queued_before_texts_were_translatable_is_shown_as_it_was(spanish: Translator) -> None:
    old_button = {"label": "Go", "action": "approve:abcdef123456", "url": None}
    stored = Message.from_payload({"text": "Old words", "buttons": [old_button]})

    assert stored.render(spanish).text == "Old words"
    assert stored.render(spanish).buttons[0].label == "Go"


def test_peoples_words_are_never_translated_nor_formatted(spanish: Translator) -> None:
    assert spanish(plain("Cancel {this}")) == "Cancel {this}"
    assert spanish(tr("Waitlist: {children}", children="{Mia}, Leo")) == "Lista de espera: {Mia}, Leo"


def test_counts_choose_plural_forms(english: Translator, spanish: Translator) -> None:
    def sent(n: int) -> Text:
        return ntr("Sent to {n} parent.", "Sent to {n} parents.", n)

    assert [english(sent(n)) for n in (1, 2)] == ["Sent to 1 parent.", "Sent to 2 parents."]
    assert [spanish(sent(n)) for n in (1, 2)] == ["Enviado a 1 familia.", "Enviado a 2 familias."]


def test_platform_and_browser_languages_map_onto_ours() -> None:
    assert [supported(tag) for tag in ("es", "es-ES", "es_419", "EN-gb", "pt-br", "", None)] == [
        "es",
        "es",
        "es",
        "en",
        None,
        None,
        None,
    ]
    assert from_accept_language("fr-FR,fr;q=0.9,es;q=0.8,en;q=0.5") == "es"
    assert from_accept_language("de, en;q=0.1") == "en"
    assert from_accept_language("de") is None
    assert from_accept_language("es;q=0") is None


def test_a_reader_elsewhere_reads_the_class_time_and_their_own(english: Translator, spanish: Translator) -> None:
    card = card_text(_class())  # 16:30 in Madrid

    in_new_york = english.for_reader("America/New_York")

    assert in_new_york(card).split("\n")[1] == "Sun, Mar 14, 2027, 16:30 (Europe/Madrid), 11:30 your time, 45 min"
    assert spanish.for_reader("America/New_York")(card).split("\n")[1] == (
        "dom, 14 mar 2027, 16:30 (Europe/Madrid), 11:30 en tu hora, 45 min"
    )


def test_a_reader_whose_day_differs_reads_their_day_too(english: Translator) -> None:
    late = Moment(datetime(2027, 3, 14, 22, 30, tzinfo=UTC), "Europe/Madrid")  # 23:30 in Madrid

    in_tokyo = english.for_reader("Asia/Tokyo")

    assert in_tokyo(tr("It starts {when}.", when=late)) == (
        "It starts Sun, Mar 14, 2027, 23:30 (Europe/Madrid), Mon, Mar 15, 07:30 your time."
    )


def test_a_reader_on_the_class_clock_reads_the_class_time_alone(english: Translator) -> None:
    card = card_text(_class())
    only_class = english(card).split("\n")[1]

    assert english.for_reader("Europe/Madrid")(card).split("\n")[1] == only_class
    assert english.for_reader("Europe/Paris")(card).split("\n")[1] == only_class  # another name, the same clock
    assert english.for_reader("Not/AZone")(card).split("\n")[1] == only_class
    assert Catalogs().translator("en", "America/New_York")(card) == english.for_reader("America/New_York")(card)
