"""Tessera as a hosted service for many people on PostgreSQL, where the operator reads nothing.

- `pgcluster`: a local PostgreSQL cluster of Tessera's own (tests, the local hosted demo);
- `db`: the host's tables and its connection pool;
- `keys`, `accounts`: sign-up and login, keys derived from the person's passphrase;
- `vault`: a person's Tessera files, sealed, in PostgreSQL (mounted under `wallet.durable`);
- `leases`: a person's wallet open on one instance at a time;
- `inbox_pg`: the inbox's queues in PostgreSQL, delivered by the instance holding the person;
- `person`: one logged-in person (agent on `postgres_storage`, holder service, wallet app);
- `host`: the instance (admission, sweeper, notifications); `app`: its web face;
- `moving`: leaving the host (export) and joining it (import a backup).
"""
