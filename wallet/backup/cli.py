"""`tessera backup create|restore|schedule`: the command-line face of `wallet.backup`."""

import datetime
import sys
from pathlib import Path

import click

from ..errors import WalletError
from ..settings import from_env
from .contents import demo_key
from .create import create_backup
from .restore import restore_backup
from .schedule import scheduled_backup

_home = click.option("--home", type=click.Path(), help="Data directory (default: $TESSERA_HOME).")
_offset = click.option("--port-offset", type=int, default=None, help="Add this to every port.")
_pass_file = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, exists=True),
    help="Read the backup passphrase from this file instead of asking.",
)
_key_file = click.option(
    "--wallet-key-file",
    type=click.Path(dir_okay=False, exists=True),
    help="Read the wallet passphrase from this file instead of asking (not needed for the demo).",
)


def _read(path):
    return Path(path).read_text().rstrip("\n")


def _backup_passphrase(passphrase_file, confirm):
    if passphrase_file:
        return _read(passphrase_file)
    return click.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm, err=True)


def _wallet_key(settings, wallet_key_file):
    if wallet_key_file:
        return _read(wallet_key_file)
    if demo_key(settings):
        return None
    return click.prompt("Wallet passphrase (the one that unlocks it)", hide_input=True, err=True)


def _fail(exc):
    click.echo(f"tessera: {exc}", err=True)
    sys.exit(2)


@click.group()
def backup():
    """Back up the wallet to one encrypted file, restore it, or back up on a schedule."""


@backup.command()
@click.argument("out", type=click.Path(dir_okay=False))
@_home
@_offset
@_pass_file
@_key_file
def create(out, home, port_offset, passphrase_file, wallet_key_file):
    """Write everything the wallet holds to OUT, encrypted under a backup passphrase."""
    try:
        settings = from_env(home=home, port_offset=port_offset)
        key = _wallet_key(settings, wallet_key_file)
        info = create_backup(
            settings, out, _backup_passphrase(passphrase_file, True), wallet_key=key
        )
    except WalletError as exc:
        _fail(exc)
    click.echo(f"Backup written to {info.path} ({info.size} bytes, {info.files} files).")
    if not info.wallet_key_included:
        click.echo("Keep your wallet passphrase: it is not in the backup and opens the wallet.")
    click.echo("Keep the backup passphrase too: without it the backup cannot be opened.")


@backup.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace an existing wallet (kept aside).")
@_home
@_offset
@_pass_file
def restore(source, replace, home, port_offset, passphrase_file):
    """Restore the wallet from the backup file SOURCE."""
    try:
        settings = from_env(home=home, port_offset=port_offset)
        result = restore_backup(
            settings, source, _backup_passphrase(passphrase_file, False), replace=replace
        )
    except WalletError as exc:
        _fail(exc)
    click.echo(f"Wallet restored from {source} (made {result.manifest.get('created')}).")
    if result.previous:
        click.echo(f"The wallet it replaced is kept in {result.previous}; delete it when done.")
    for warning in result.warnings:
        click.echo(f"Note: {warning}")


@backup.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--keep", type=int, default=7, show_default=True, help="Backups to keep.")
@click.option("--every-hours", type=float, default=None, help="Skip if the newest is younger.")
@_home
@_offset
@_pass_file
@_key_file
def schedule(folder, keep, every_hours, home, port_offset, passphrase_file, wallet_key_file):
    """Write a dated backup into FOLDER and keep the newest --keep (run it from a timer)."""
    every = datetime.timedelta(hours=every_hours) if every_hours else None
    try:
        settings = from_env(home=home, port_offset=port_offset)
        key = _wallet_key(settings, wallet_key_file)
        info = scheduled_backup(
            settings,
            folder,
            _backup_passphrase(passphrase_file, False),
            keep=keep,
            every=every,
            wallet_key=key,
        )
    except WalletError as exc:
        _fail(exc)
    click.echo(f"Backup written to {info.path}." if info else "No backup due yet.")
