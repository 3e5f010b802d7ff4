"""The languages handouts are written in: one record each, the only place that names them.

Adding a language starts here (docs/languages.md says what else it needs: a
catalogue, translated content and, for ``handouts check``, a readability
formula).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")


@dataclass(frozen=True)
class Language:
    code: str  # "es": in file names (piriformis.es.yaml), --lang and output folders
    english_name: str  # in the tool's own messages, which are in English
    native_name: str  # what a reader of the language calls it
    pdf_tag: str  # the PDF's language, for screen readers
    months: tuple[str, ...]
    date_format: str  # with {day}, {month} and {year}
    # How handouts check scores the reading level (a key of
    # handouts.check.readability.SCALES), and on that scale the level a text
    # must reach (limit) and the level to aim for (aim).
    readability: str
    reading_limit: float
    reading_aim: float
    # A time of day: 12-hour ("10:30 AM") or 24-hour ("10:30"), and how it follows a date.
    twelve_hour: bool = False
    at_format: str = "{date}, {time}"

    def long_date(self, d: dt.date) -> str:
        """November 27, 2026 / 27 de noviembre de 2026."""
        return self.date_format.format(day=d.day, month=self.months[d.month - 1], year=d.year)

    def when(self, moment: dt.date | dt.datetime) -> str:
        """A date, or a date and time, as the language writes them."""
        if not isinstance(moment, dt.datetime):
            return self.long_date(moment)
        if self.twelve_hour:
            hour = moment.hour % 12 or 12
            time = f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
        else:
            time = f"{moment.hour}:{moment.minute:02d}"
        return self.at_format.format(date=self.long_date(moment.date()), time=time)


LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (
    # Flesch-Kincaid grade: at most 8 (NIH, CDC), aim 6 (AMA, HHS).
    Language("en", "English", "English", "en-US", ENGLISH_MONTHS, "{month} {day}, {year}",
             "flesch-kincaid", 8.0, 6.0, twelve_hour=True, at_format="{date}, at {time}"),
    # Fernández-Huerta reading ease, where higher is easier: 65 is about grade 8,
    # 80 about grade 6 (docs/literacy.md explains the mapping).
    Language("es", "Spanish", "Español", "es-US",
             ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"),
             "{day} de {month} de {year}", "fernandez-huerta", 65.0, 80.0,
             at_format="{date}, a las {time}"),
)}
SOURCE_LANGUAGE = "en"  # every translation is laid over the English files


def long_date(d: dt.date, lang: str = SOURCE_LANGUAGE) -> str:
    return LANGUAGES[lang].long_date(d)


def when(moment: dt.date | dt.datetime, lang: str = SOURCE_LANGUAGE) -> str:
    return LANGUAGES[lang].when(moment)
