"""`tessera`: the one command-line entry point."""

import contextlib
import json
import logging
import shutil
import signal
import sys
import tempfile
import threading

import click

from . import scenario as story
from .agent.webhooks import WebhookHub
from .errors import WalletError
from .schemas import SCHEMA_DIR, load_all
from .settings import ROLES, from_env


def _stop_on_signals():
    """Turn SIGTERM into SystemExit and SIGINT into KeyboardInterrupt, however we were started.

    `finally` blocks then stop the agents. Python leaves SIGINT ignored when the shell
    that started it ignored it (a background job, `setsid tessera demo &`, a service
    manager), so Ctrl-C's handler is installed explicitly, not inherited.
    """

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def _world(home, port_offset, schemas):
    """Start the three parties, each in its own home, and yield a `World` over them.

    The issuer publishes on did:webvh from its own HTTPS server; the holder and the
    verifier fetch and check what it publishes over the network.
    """
    from .webvh.world import agents, running_parties

    settings = from_env(home=home, port_offset=port_offset)
    hub = WebhookHub().start()
    try:
        with running_parties(settings.home, settings.port_offset, hub=hub) as (parties, _net):
            by_role = agents(parties, hub)
            world = story.World(*(by_role[role] for role in ROLES), schemas)
            yield world, {role: party.process for role, party in parties.items()}
    finally:
        hub.stop()


def _fail(exc, as_json):
    """Print one clear message (and a JSON error object with --json) and exit 2."""
    if as_json:
        click.echo(json.dumps({"error": str(exc), "kind": type(exc).__name__}))
    click.echo(f"tessera: {exc}", err=True)
    sys.exit(2)


@click.group()
def main():
    """Tessera: a personal-data wallet that gives firms proofs, not data."""
    _stop_on_signals()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--home", type=click.Path(), help="Data directory (default: a fresh temporary one).")
@click.option("--keep", is_flag=True, help="Keep the temporary data directory.")
@click.option("--port-offset", type=int, default=None, help="Add this to every agent port.")
@click.option("--min-income", type=int, default=30000, show_default=True)
@click.option("--person", type=click.Path(dir_okay=False), default=str(story.DEMO_PERSON))
@click.option("--schemas", "schema_dir", type=click.Path(), default=str(SCHEMA_DIR))
def scenario(as_json, home, keep, port_offset, min_income, person, schema_dir):
    """Run the whole story headless: publish, connect, issue, request, present, verify."""
    try:
        schemas = load_all(schema_dir)
        data = story.load_person(person)
    except WalletError as exc:
        _fail(exc, as_json)
    temporary = home is None
    home = home or tempfile.mkdtemp(prefix="tessera-scenario-")
    watch = story.Stopwatch()
    try:
        started = watch.clock()
        with _world(home, port_offset, schemas) as (world, _):
            watch.timings["start_agents"] = round((watch.clock() - started) * 1000, 1)
            report = story.run(world, data, min_income=min_income, watch=watch)
    except WalletError as exc:
        _fail(exc, as_json)
    finally:
        if temporary and not keep:
            shutil.rmtree(home, ignore_errors=True)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        _print_report(report)
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--home", type=click.Path(), help="Data directory (default: $TESSERA_HOME).")
@click.option("--port-offset", type=int, default=None, help="Add this to every port.")
def demo(home, port_offset):
    """Run the demo world: issuer and verifier consoles and the person's wallet."""
    from . import demo as demo_world

    settings = from_env(home=home, port_offset=port_offset)
    # One line per HTTP request would bury the URLs and passwords printed below.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def ready(world):
        click.echo("Tessera demo is running on 127.0.0.1:")
        for name in ("wallet", "issuer", "verifier"):
            click.echo(f"  {name:<9}{world.urls[name]}")
        for role, password in world.passwords.items():
            click.echo(f"  {role} console password: {password}")
        click.echo("")
        click.echo(demo_world.WALKTHROUGH)
        click.echo("\nPress Ctrl-C to stop everything.")

    try:
        demo_world.run(settings, threading.Event(), on_ready=ready)
    except KeyboardInterrupt:
        click.echo("\nStopped.")
    except WalletError as exc:
        _fail(exc, False)


@main.command()
@click.option("--quick", is_flag=True, help="Small sizes (what CI runs), under 2 minutes.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON on stdout.")
@click.option("--port-offset", type=int, default=None, help="Add this to every agent port.")
def bench(quick, as_json, port_offset):
    """Measure the floor, proof latency, throughput, issuance, growth and start-up."""
    from .bench import report as bench_report
    from .bench import run as bench_run

    home = tempfile.mkdtemp(prefix="tessera-bench-")
    offset = from_env(port_offset=port_offset).port_offset
    log = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    try:
        results = bench_run.run(quick=quick, home=home, port_offset=offset, log=log)
    except WalletError as exc:
        _fail(exc, as_json)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    json_path, md_path = bench_report.write(results)
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        click.echo(md_path.read_text())
        click.echo(f"Written to {json_path} and {md_path}.")


def _attach_groups():
    """Add the command groups that live with their packages."""
    from .backup.cli import backup
    from .receipts.cli import receipt

    main.add_command(backup)
    main.add_command(receipt)


_attach_groups()


def _print_report(report):
    click.echo(f"verified:      {'yes' if report.verified else 'NO'}")
    for name, value in sorted(report.revealed.items()):
        click.echo(f"revealed:      {name} = {value}")
    for name in report.predicates:
        click.echo(f"proven:        {name} (value not shared)")
    click.echo(f"not disclosed: {', '.join(report.not_disclosed)}")
    if report.leaked:
        click.echo(f"LEAKED:        {', '.join(report.leaked)}")
    steps = ", ".join(f"{k} {v:.0f} ms" for k, v in report.timings_ms.items())
    click.echo(f"timings:       {steps}")


if __name__ == "__main__":
    main()
