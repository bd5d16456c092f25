"""A person's wallet is open on at most one host instance: a lease in PostgreSQL with expiry.

The instance that opens a person's wallet takes the lease and renews it while the wallet
stays open; it ends it on logout or idle lock. If the instance dies (even `kill -9`) the
lease simply runs out, and the person can log in on another instance. Each take-over
raises the lease's *epoch*: every change an instance writes for the person checks its
own epoch in the same transaction (`vault`), so a stale instance can never write.
Expiry is measured by the database's clock, the one clock every instance shares.
"""

from dataclasses import dataclass

DEFAULT_TTL = 60.0


@dataclass(frozen=True)
class Lease:
    """This instance's hold on one person's wallet."""

    account: str
    instance: str
    epoch: int


@dataclass(frozen=True)
class Holder:
    """Who holds a person's lease, and for how many more seconds."""

    instance: str
    remaining: float


class Leases:
    """Take, renew, end and look up leases for one instance."""

    def __init__(self, db, instance, ttl=DEFAULT_TTL):
        """Act as `instance`; leases last `ttl` seconds unless renewed."""
        self.db = db
        self.instance = instance
        self.ttl = float(ttl)

    def take(self, account):
        """Take the person's lease if it is free, expired or already ours; else None."""
        row = self.db.one(
            "INSERT INTO leases (account, instance, epoch, expires_at) "
            "VALUES (%(a)s, %(i)s, 1, now() + make_interval(secs => %(t)s)) "
            "ON CONFLICT (account) DO UPDATE SET instance = EXCLUDED.instance, "
            "epoch = leases.epoch + 1, expires_at = EXCLUDED.expires_at "
            "WHERE leases.expires_at <= now() OR leases.instance = EXCLUDED.instance "
            "RETURNING epoch",
            {"a": account, "i": self.instance, "t": self.ttl},
        )
        return None if row is None else Lease(account, self.instance, row[0])

    def renew(self, lease):
        """Extend the lease; return False when it is no longer ours (taken over or ended).

        A lease that ran out while the database was down is still ours if nobody took it.
        """
        return bool(
            self.db.run(
                "UPDATE leases SET expires_at = now() + make_interval(secs => %s) "
                "WHERE account = %s AND instance = %s AND epoch = %s",
                (self.ttl, lease.account, lease.instance, lease.epoch),
            )
        )

    def end(self, lease):
        """Give the lease up (logout, idle lock): another instance may take it at once.

        The epoch moves on, so nothing still holding the ended lease can write.
        """
        self.db.run(
            "UPDATE leases SET expires_at = now() - interval '1 millisecond', epoch = epoch + 1 "
            "WHERE account = %s AND instance = %s AND epoch = %s",
            (lease.account, lease.instance, lease.epoch),
        )

    def holder(self, account):
        """Return the `Holder` of a live lease on the person's wallet, or None."""
        row = self.db.one(
            "SELECT instance, extract(epoch FROM expires_at - now()) FROM leases "
            "WHERE account = %s AND expires_at > now()",
            (account,),
        )
        return None if row is None else Holder(row[0], float(row[1]))
