"""Money: an exact `Decimal` amount in an ISO 4217 currency, parsed strictly from text."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..errors import InputError

# Active ISO 4217 codes Tessera accepts, by minor units (digits after the point).
_BY_MINOR_UNITS = {
    2: (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP "
        "BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
        "GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KYD KZT LAK "
        "LBP LKR LRD LSL MAD MDL MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK "
        "NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS "
        "SRD SSP STN SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES WST XCD "
        "YER ZAR ZMW ZWL "
    ),
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
}
_MINOR_UNITS = {code: units for units, codes in _BY_MINOR_UNITS.items() for code in codes.split()}
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,8})?$")


def minor_units(currency):
    """Return the digits after the decimal point of `currency`; InputError if unknown."""
    if not isinstance(currency, str) or currency not in _MINOR_UNITS:
        raise InputError(
            f"'{currency}' is not an ISO 4217 currency code Tessera knows; "
            "use a three-letter code such as EUR, USD or JPY."
        )
    return _MINOR_UNITS[currency]


def parse_amount(text, where="amount"):
    """Parse a non-negative decimal amount written as text ("1.50"); floats are refused."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise InputError(
            f'{where} must be written as text such as "1.50", not {type(text).__name__} '
            f"{text!r}: prices are exact decimals, never floating-point numbers."
        )
    if text.startswith("-"):
        raise InputError(f"{where} '{text}' is negative; a price is zero or more.")
    if not _AMOUNT.match(text):
        raise InputError(f"{where} '{text}' is not a decimal amount such as \"12.50\".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise InputError(f"{where} '{text}' is not a decimal amount.") from exc


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount in one currency; arithmetic never leaves `Decimal`."""

    currency: str
    amount: Decimal

    def __post_init__(self):
        """Refuse floats, negative amounts, unknown currencies and excess precision."""
        places = minor_units(self.currency)
        if not isinstance(self.amount, Decimal):
            raise InputError(f"A {self.currency} amount must be a Decimal, not {self.amount!r}.")
        if self.amount < 0 or not self.amount.is_finite():
            raise InputError(f"{self.amount} {self.currency} is not a price (zero or more).")
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-places)):
            raise InputError(
                f"{self.amount} has more decimals than {self.currency} allows ({places})."
            )

    @classmethod
    def parse(cls, data, where="price"):
        """Build from {"amount": "1.50", "currency": "EUR"}; InputError naming the problem."""
        if not isinstance(data, dict):
            raise InputError(f"{where} must be an object with 'amount' and 'currency'.")
        currency = data.get("currency")
        minor_units(currency)
        return cls(currency, parse_amount(data.get("amount"), f"{where}.amount"))

    @classmethod
    def rounded(cls, amount, currency):
        """Return `amount` rounded half-up to the currency's minor units."""
        step = Decimal(1).scaleb(-minor_units(currency))
        return cls(currency, amount.quantize(step, rounding=ROUND_HALF_UP))

    def to_json(self):
        """Return {"amount": text, "currency": code}, the only form money travels in."""
        return {"amount": f"{self.amount:f}", "currency": self.currency}

    def __str__(self):
        """Show as "1.50 EUR"."""
        return f"{self.amount:f} {self.currency}"
