"""Tails files for AnonCreds revocation: Tessera's loopback tails server and a safe fetcher."""
