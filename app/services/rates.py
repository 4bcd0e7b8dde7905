"""The USD rate table this process converts prices with (RATES_CSV, else the shipped one)."""

from functools import cache

from app.domain.prices import RateTable, default_rate_table
from app.settings import Settings


@cache
def _rates_from(path: str | None) -> RateTable:
    return RateTable.from_csv(path) if path else default_rate_table()


def rate_table(settings: Settings) -> RateTable:
    return _rates_from(settings.rates_csv)
