"""Durable store-and-forward of DIDComm envelopes for a wallet whose agent is locked."""
