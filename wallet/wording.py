"""Plain words shared by the wallet's pages, the holder's consent screen and the consoles.

Kept outside `wallet.web` so that the holder and the consoles, which may not import the
wallet's web app, say dates and counts the same way.
"""


def day_words(day):
    """Return a `date` as "12 April 1990"."""
    return f"{day.day} {day:%B} {day.year}"


def count_words(number, noun, plural=None):
    """Return "1 item" or "3 items"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
