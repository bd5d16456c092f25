"""Egress: where Tessera's agents may connect. One policy (`policy.py`, pure) for all.

Loaded into every agent with `--plugin wallet.egress`: every outbound DIDComm
message (`acapy_http.py`) and every did:web and did:webvh document fetched
(`acapy_resolvers.py`) then goes through the policy at connect time. The
deployment says whether loopback is allowed with
`plugin-config-value: ["tessera_egress.allow_loopback=true"]`: the demo and the
test worlds set it, production leaves it false. The tails fetcher and the wallet
app's invitation check use the same policy.
"""


async def setup(context) -> None:
    """ACA-Py plugin entry point: put the HTTP transport and the DID resolvers behind the policy."""
    # Imported here so that the pure policy can be used without loading ACA-Py.
    from . import acapy_http, acapy_resolvers

    acapy_http.install(context.settings)
    acapy_resolvers.install(acapy_http.allow_loopback(context.settings))
