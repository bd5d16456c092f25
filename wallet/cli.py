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
@click.option(
    "--hosting",
    is_flag=True,
    help="Measure the hosted Tessera instead (needs PostgreSQL): login, memory per person, "
    "the cap, and proofs for a hosted person next to the single-person wallet.",
)
def bench(quick, as_json, port_offset, hosting):
    """Measure the floor, proof latency, throughput, issuance, growth and start-up."""
    from .bench import hosting as bench_hosting
    from .bench import report as bench_report
    from .bench import run as bench_run

    home = tempfile.mkdtemp(prefix="tessera-bench-")
    offset = from_env(port_offset=port_offset).port_offset
    log = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    runner = bench_hosting.run if hosting else bench_run.run
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the hosted pages' requests
    try:
        results = runner(quick=quick, home=home, port_offset=offset, log=log)
    except WalletError as exc:
        _fail(exc, as_json)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    json_path, md_path = bench_report.write(
        results, render=bench_hosting.markdown if hosting else bench_report.markdown
    )
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        click.echo(md_path.read_text())
        click.echo(f"Written to {json_path} and {md_path}.")


@main.command()
@click.option("--home", type=click.Path(), help="Data directory (default: $TESSERA_HOME).")
@click.option(
    "--local",
    is_flag=True,
    help="Run Tessera's own PostgreSQL cluster (made on first run) and an issuer and a "
    "verifier firm to try the hosted wallet with, all on 127.0.0.1.",
)
@click.option("--port", type=int, default=7000, show_default=True, help="The web face's port.")
@click.option("--inbox-port", type=int, default=8135, show_default=True)
@click.option(
    "--public-inbox-url", default="", help="Where firms reach people (the load balancer)."
)
@click.option("--instance", default=None, help="This instance's name (default: random).")
@click.option("--max-people", type=int, default=20, show_default=True)
@click.option("--agent-ports", type=int, default=9100, show_default=True)
@click.option("--lease-ttl", type=float, default=60.0, show_default=True)
@click.option(
    "--pg-port", type=int, default=5433, show_default=True, help="--local: the cluster's port"
)
@click.option("--no-firms", is_flag=True, help="--local: do not start the demo firms.")
@click.option(
    "--loopback-egress",
    is_flag=True,
    help="Let the agents reach firms on loopback (every party on this machine: demos and "
    "tests only; --local sets it).",
)
@click.option(
    "--trusted-proxies",
    type=int,
    default=0,
    show_default=True,
    help="Proxies (the load balancer) in front that set X-Forwarded-For: rate limits then "
    "count each client's address, not the proxy's.",
)
@click.option("--port-offset", type=int, default=None, help="Add this to every port.")
def host(
    home,
    local,
    port,
    inbox_port,
    public_inbox_url,
    instance,
    max_people,
    agent_ports,
    lease_ttl,
    pg_port,
    no_firms,
    loopback_egress,
    trusted_proxies,
    port_offset,
):
    """Run a hosted Tessera: many people, each their own wallet; the operator reads nothing."""
    from . import demo as demo_world
    from .host import cli as host_cli

    settings = from_env(home=home, port_offset=port_offset)
    offset = settings.port_offset
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    options = {
        "inbox_port": inbox_port + offset,
        "agent_ports": agent_ports + offset,
        "public_inbox_url": public_inbox_url,
        "max_people": max_people,
        "lease_ttl": lease_ttl,
        "trusted_proxies": trusted_proxies,
        **({"instance": instance} if instance else {}),
    }
    stop = threading.Event()
    try:
        with contextlib.ExitStack() as stack:
            if local:
                cluster = stack.enter_context(
                    host_cli.local_database(settings.home, pg_port + offset)
                )
                config = host_cli.local_config(
                    settings.home, cluster, loopback_egress=True, **options
                )
                if not no_firms:
                    firms = threading.Thread(
                        target=demo_world.run,
                        args=(settings, stop),
                        kwargs={"on_ready": _firms_ready, "wallet": False},
                        daemon=True,
                    )
                    firms.start()
            else:
                config = host_cli.operator_config(
                    settings.home, loopback_egress=loopback_egress, **options
                )

            def ready(running, url):
                click.echo(f"Tessera host instance {config.instance} is running:")
                click.echo(f"  sign up or log in  {url}/signup")
                click.echo(f"  firms reach people {running.public_inbox_url}/didcomm/<id>")
                click.echo(f"  at most {config.max_people} wallets open at once here")
                click.echo("Press Ctrl-C to stop (every wallet is locked first).")

            host_cli.serve(config, port + offset, stop, on_ready=ready)
    except KeyboardInterrupt:
        click.echo("\nStopped.")
    except WalletError as exc:
        _fail(exc, False)
    finally:
        stop.set()


def _firms_ready(world):
    click.echo("Demo firms for the hosted wallet:")
    for name in ("issuer", "verifier"):
        click.echo(f"  {name:<9}{world.urls[name]}  password: {world.passwords[name]}")


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
