"""`tessera receipt verify FILE`: check both signatures of a consent receipt."""

import json
import sys

import click

from .receipt import PARTIES, ReceiptError, verify_party


def check_file(path):
    """Return [(party, None or reason)] for a receipt file; ReceiptError if it is unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            receipt = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReceiptError(f"Cannot read a JSON receipt from {path}: {exc}") from exc
    results = []
    for party in PARTIES:
        try:
            verify_party(receipt, party)
            results.append((party, None))
        except ReceiptError as exc:
            if exc.party is None:
                raise
            results.append((party, str(exc)))
    return results


@click.group()
def receipt():
    """Work with signed consent receipts."""


@receipt.command()
@click.argument("file", type=click.Path(dir_okay=False))
def verify(file):
    """Check the person's signature and the firm's countersignature of a receipt FILE."""
    try:
        results = check_file(file)
    except ReceiptError as exc:
        click.echo(f"tessera: {exc}", err=True)
        sys.exit(2)
    for party, problem in results:
        click.echo(f"{party} signature: {'valid' if problem is None else 'INVALID: ' + problem}")
    if any(problem for _, problem in results):
        sys.exit(1)
