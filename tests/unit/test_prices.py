from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from app.domain.ecb_rates import EcbRates, bundled_ecb_rates
from app.domain.enums import PeriodType
from app.domain.prices import (
    PriceResolution,
    RateTable,
    UsdPrice,
    default_rate_table,
    resolve_price,
    shipped_rate_table,
    usd_price,
    usd_rate_missing,
)

EXPECTED_CURRENCIES = {
    "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN",
    "INR", "CNY", "KRW", "TRY",
}  # fmt: skip


def at(year: int, month: int, day: int = 15) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def table() -> RateTable:
    return RateTable(
        [
            ("EUR", "2024-01", "0.9"),
            ("EUR", "2024-03", Decimal("0.8")),
            ("EUR", "2024-03-20", "0.5"),
            ("JPY", "2024-01", "150"),
        ]
    )


class TestRateLookup:
    def test_uses_the_row_of_the_month(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("9.00"), "EUR", at(2024, 1)) == Decimal("10.00")

    def test_carries_the_latest_row_forward(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("9.00"), "EUR", at(2024, 2, 28)) == Decimal("10.00")
        assert table.to_usd(Decimal("8.00"), "EUR", at(2030, 1)) == Decimal("16.00")

    def test_a_day_row_starts_on_its_day(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("8.00"), "EUR", at(2024, 3, 19)) == Decimal("10.00")
        assert table.to_usd(Decimal("8.00"), "EUR", at(2024, 3, 20)) == Decimal("16.00")

    def test_a_month_row_starts_on_the_first(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("8.00"), "EUR", datetime(2024, 3, 1, tzinfo=UTC)) == Decimal("10.00")
        assert table.to_usd(Decimal("9.00"), "EUR", datetime(2024, 2, 29, 23, 59, tzinfo=UTC)) == Decimal(
            "10.00"
        )

    def test_date_before_the_table_uses_the_earliest_row(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("9.00"), "EUR", at(2019, 6)) == Decimal("10.00")

    def test_unknown_currency_is_none(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("1.00"), "XYZ", at(2024, 1)) is None
        assert table.rate("GBP", at(2024, 1)) is None

    def test_usd_is_identity(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("4.99"), "USD", at(2024, 1)) == Decimal("4.99")
        assert table.rate("USD", at(2024, 1)) == Decimal(1)

    def test_currency_code_is_case_insensitive(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("9.00"), "eur", at(2024, 1)) == Decimal("10.00")

    def test_result_is_rounded_half_up_to_cents(self) -> None:
        table = RateTable([("EUR", "2024-01", "2")])
        assert table.to_usd(Decimal("0.01"), "EUR", at(2024, 1)) == Decimal("0.01")  # 0.005
        assert table.to_usd(Decimal("0.03"), "EUR", at(2024, 1)) == Decimal("0.02")  # 0.015
        assert table.to_usd(Decimal("-0.01"), "EUR", at(2024, 1)) == Decimal("-0.01")
        assert str(table.to_usd(Decimal("100"), "EUR", at(2024, 1))) == "50.00"

    def test_refund_converts_to_negative_usd(self, table: RateTable) -> None:
        assert table.to_usd(Decimal("-9.00"), "EUR", at(2024, 1)) == Decimal("-10.00")

    def test_uses_the_utc_date(self) -> None:
        table = RateTable([("EUR", "2024-01", "1"), ("EUR", "2024-02", "2")])
        # 2024-02-01 00:30 at UTC+1 is still January in UTC.
        moment = datetime(2024, 2, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
        assert table.to_usd(Decimal("2"), "EUR", moment) == Decimal("2.00")

    def test_naive_datetime_is_refused(self, table: RateTable) -> None:
        with pytest.raises(ValueError):
            table.to_usd(Decimal("1"), "EUR", datetime(2024, 1, 1))

    def test_currencies(self, table: RateTable) -> None:
        assert table.currencies == frozenset({"EUR", "JPY"})


class TestRateTableRows:
    @pytest.mark.parametrize(
        "row",
        [
            ("EURO", "2024-01", "1"),
            ("E1R", "2024-01", "1"),
            ("EUR", "2024", "1"),
            ("EUR", "2024-13", "1"),
            ("EUR", "2024-02-30", "1"),
            ("EUR", "24-01-01", "1"),
            ("EUR", "2024-01", "abc"),
            ("EUR", "2024-01", "0"),
            ("EUR", "2024-01", "-1"),
            ("EUR", "2024-01", "NaN"),
            ("EUR", "2024-01", "Infinity"),
        ],
    )
    def test_bad_rows_are_refused(self, row: tuple[str, str, str]) -> None:
        with pytest.raises(ValueError):
            RateTable([row])

    def test_two_rows_on_one_date_are_refused(self) -> None:
        with pytest.raises(ValueError, match="same date"):
            RateTable([("EUR", "2024-01", "1"), ("EUR", "2024-01-01", "2")])


class TestFromCsv:
    CSV = "currency,month,per_usd\nEUR,2024-01,0.9\n\nGBP,2024-01-10,0.8\n"

    def test_from_text(self) -> None:
        table = RateTable.from_csv(self.CSV)
        assert table.to_usd(Decimal("9"), "EUR", at(2024, 1)) == Decimal("10.00")
        assert table.to_usd(Decimal("8"), "GBP", at(2024, 1)) == Decimal("10.00")

    def test_from_path_object_and_path_string(self, tmp_path: Path) -> None:
        path = tmp_path / "rates.csv"
        path.write_text(self.CSV, encoding="utf-8")
        for source in (path, str(path)):
            assert RateTable.from_csv(source).currencies == frozenset({"EUR", "GBP"})

    def test_wrong_header_is_refused(self) -> None:
        with pytest.raises(ValueError, match="header"):
            RateTable.from_csv("currency,date,rate\nEUR,2024-01,0.9\n")

    def test_wrong_column_count_is_refused(self) -> None:
        with pytest.raises(ValueError, match="line 2"):
            RateTable.from_csv("currency,month,per_usd\nEUR,2024-01\n")


class TestDefaultRateTable:
    def test_is_cached(self) -> None:
        assert default_rate_table() is default_rate_table()

    def test_the_shipped_table_has_every_listed_currency(self) -> None:
        assert shipped_rate_table().currencies == frozenset(EXPECTED_CURRENCIES)

    def test_the_default_table_adds_the_ecb_currencies(self) -> None:
        currencies = default_rate_table().currencies
        assert frozenset(EXPECTED_CURRENCIES) | bundled_ecb_rates().currencies == currencies
        assert {"IDR", "ZAR", "THB", "HKD", "SGD", "MYR", "PHP", "ILS", "NZD"} <= currencies

    def test_has_every_month_from_2020_01_to_2026_11(self) -> None:
        text = resources.files("app.data").joinpath("usd_rates.csv").read_text("utf-8")
        lines = text.strip().splitlines()
        assert lines[0] == "currency,month,per_usd"
        months = [f"{y}-{m:02d}" for y in range(2020, 2027) for m in range(1, 13)][:-1]
        for currency in EXPECTED_CURRENCIES:
            rows = [line.split(",")[1] for line in lines[1:] if line.startswith(currency + ",")]
            assert rows == months, currency

    @pytest.mark.parametrize(
        ("currency", "when", "low", "high"),
        [
            # Sanity bands around well-known monthly averages.
            ("EUR", at(2022, 10), "0.98", "1.05"),  # parity in autumn 2022
            ("GBP", at(2022, 10), "0.85", "0.92"),
            ("JPY", at(2024, 6), "150", "165"),
            ("CHF", at(2021, 6), "0.88", "0.93"),
            ("DKK", at(2023, 6), "6.7", "7.1"),
            ("INR", at(2023, 6), "80", "84"),
            ("KRW", at(2022, 10), "1380", "1450"),
            ("TRY", at(2024, 6), "31", "34"),
            ("BRL", at(2020, 5), "5.3", "5.9"),
        ],
    )
    def test_rates_are_plausible(self, currency: str, when: datetime, low: str, high: str) -> None:
        rate = default_rate_table().rate(currency, when)
        assert rate is not None
        assert Decimal(low) <= rate <= Decimal(high)

    def test_converts_a_euro_price(self) -> None:
        usd = default_rate_table().to_usd(Decimal("9.99"), "EUR", at(2024, 1))
        assert usd is not None
        assert Decimal("10.60") <= usd <= Decimal("11.20")


class TestResolvePrice:
    def test_trial_costs_zero_in_its_currency(self) -> None:
        assert resolve_price(
            Decimal("9.99"), "EUR", Decimal("4.99"), "USD", PeriodType.TRIAL
        ) == PriceResolution(Decimal(0), "EUR", False)

    def test_trial_without_transaction_currency_uses_the_list_currency(self) -> None:
        assert resolve_price(None, None, Decimal("4.99"), "USD", PeriodType.TRIAL) == (
            PriceResolution(Decimal(0), "USD", False)
        )

    def test_transaction_price_wins(self) -> None:
        assert resolve_price(
            Decimal("9.99"), "EUR", Decimal("4.99"), "USD", PeriodType.NORMAL
        ) == PriceResolution(Decimal("9.99"), "EUR", False)

    def test_zero_transaction_price_is_a_price(self) -> None:
        assert resolve_price(Decimal(0), "EUR", Decimal("4.99"), "USD", PeriodType.INTRO) == PriceResolution(
            Decimal(0), "EUR", False
        )

    def test_list_price_is_an_estimate(self) -> None:
        assert resolve_price(None, None, Decimal("4.99"), "USD", None) == PriceResolution(
            Decimal("4.99"), "USD", True
        )

    def test_price_without_currency_falls_back_to_list_price(self) -> None:
        assert resolve_price(
            Decimal("9.99"), None, Decimal("4.99"), "USD", PeriodType.NORMAL
        ) == PriceResolution(Decimal("4.99"), "USD", True)

    def test_nothing_known(self) -> None:
        assert resolve_price(None, None, None, None, PeriodType.NORMAL) == PriceResolution(None, None, False)


ECB_HISTORY = ["Date,USD,JPY,", "2024-01-02,1.1000,160.00,", "2023-12-29,1.0000,N/A,"]


class TestEcbFirstThenTheTable:
    """A table with a primary source: the source first, the table's rows for the rest."""

    @pytest.fixture
    def layered(self) -> RateTable:
        table = [("JPY", "2020-01", "100"), ("EUR", "2020-01", "0.5"), ("GBP", "2020-01", "0.8")]
        return RateTable(table, primary=EcbRates(ECB_HISTORY))

    def test_the_ecb_rate_wins_where_it_has_one(self, layered: RateTable) -> None:
        assert layered.rate("JPY", at(2024, 1, 2)) == Decimal("160.00") / Decimal("1.1000")
        assert layered.rate("EUR", at(2024, 1, 2)) == Decimal(1) / Decimal("1.1")

    def test_the_table_fills_a_day_the_ecb_has_no_rate_for(self, layered: RateTable) -> None:
        assert layered.rate("JPY", at(2023, 12, 30)) == Decimal(100)  # no JPY fixing yet

    def test_the_table_fills_a_currency_the_ecb_lacks(self, layered: RateTable) -> None:
        assert layered.rate("GBP", at(2024, 1, 2)) == Decimal("0.8")

    def test_neither_source_is_none(self, layered: RateTable) -> None:
        assert layered.rate("NGN", at(2024, 1, 2)) is None

    def test_currencies_are_both_sources(self, layered: RateTable) -> None:
        assert layered.currencies == frozenset({"JPY", "EUR", "GBP", "USD"})

    def test_from_csv_takes_a_primary_too(self) -> None:
        table = RateTable.from_csv("currency,month,per_usd\nGBP,2020-01,0.8\n", primary=EcbRates(ECB_HISTORY))
        assert table.rate("JPY", at(2024, 1, 2)) is not None and table.rate("GBP", at(2024, 1, 2)) is not None


class TestUsdPrice:
    """`usd_price`: the USD figure of a price, and whether a rate was missing."""

    def test_an_indonesian_rupiah_price(self) -> None:
        price = usd_price(default_rate_table(), Decimal("79000"), "IDR", at(2024, 6, 14))
        assert price.rate_missing is False
        assert price.amount is not None and Decimal("4.70") <= price.amount <= Decimal("4.95")

    def test_a_south_african_rand_price(self) -> None:
        price = usd_price(default_rate_table(), Decimal("99.99"), "ZAR", at(2024, 6, 14))
        assert price.rate_missing is False
        assert price.amount is not None and Decimal("5.30") <= price.amount <= Decimal("5.55")

    def test_a_refund_in_rand_is_negative(self) -> None:
        paid = usd_price(default_rate_table(), Decimal("99.99"), "ZAR", at(2024, 6, 14))
        refunded = usd_price(default_rate_table(), Decimal("-99.99"), "ZAR", at(2024, 6, 14))
        assert paid.amount is not None and refunded.amount == -paid.amount

    def test_is_exact_to_the_cent_at_the_rate_of_the_day(self) -> None:
        table = RateTable([], primary=EcbRates(ECB_HISTORY))
        assert usd_price(table, Decimal("160"), "JPY", at(2024, 1, 2)) == UsdPrice(Decimal("1.10"), False)

    @pytest.mark.parametrize("currency", ["NGN", "VND", "ARS"])
    def test_a_currency_neither_source_has_is_missing_never_zero(self, currency: str) -> None:
        assert currency not in default_rate_table().currencies
        price = usd_price(default_rate_table(), Decimal("1000"), currency, at(2024, 6, 14))
        assert price == UsdPrice(None, rate_missing=True)

    def test_a_rouble_price_after_the_ecb_stopped_is_missing(self) -> None:
        assert usd_price(default_rate_table(), Decimal("299"), "RUB", at(2023, 6, 15)) == UsdPrice(None, True)

    def test_a_price_in_a_replaced_table_without_the_currency_is_missing(self) -> None:
        replaced = RateTable([("EUR", "2024-01", "0.9")])
        assert usd_price(replaced, Decimal("79000"), "IDR", at(2024, 6, 14)) == UsdPrice(None, True)

    def test_no_price_is_no_usd_price_and_no_missing_rate(self) -> None:
        assert usd_price(default_rate_table(), None, "IDR", at(2024, 6, 14)) == UsdPrice(None, False)
        assert usd_price(default_rate_table(), Decimal("5"), None, at(2024, 6, 14)) == UsdPrice(None, False)

    @pytest.mark.parametrize("currency", ["NGN", "IDR", "USD"])
    def test_zero_is_zero_in_every_currency(self, currency: str) -> None:
        assert usd_price(default_rate_table(), Decimal(0), currency, at(2024, 6, 14)) == UsdPrice(
            Decimal("0.00"), False
        )

    def test_usd_needs_no_rate(self) -> None:
        assert usd_price(RateTable([]), Decimal("4.99"), "USD", at(2024, 6, 14)) == UsdPrice(
            Decimal("4.99"), False
        )


class TestUsdRateMissingFromStoredColumns:
    @pytest.mark.parametrize(
        ("amount", "currency", "when"),
        [
            ("79000", "IDR", at(2024, 6, 14)),
            ("4500", "NGN", at(2024, 6, 14)),
            ("0", "NGN", at(2024, 6, 14)),
            ("-299", "RUB", at(2023, 6, 15)),
            (None, "NGN", at(2024, 6, 14)),
            ("5", None, at(2024, 6, 14)),
        ],
    )
    def test_reads_back_what_usd_price_said(
        self, amount: str | None, currency: str | None, when: datetime
    ) -> None:
        price = Decimal(amount) if amount is not None else None
        converted = usd_price(default_rate_table(), price, currency, when)
        assert usd_rate_missing(price, currency, converted.amount) is converted.rate_missing
