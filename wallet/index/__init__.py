"""Tessera's own small indexes over what the holder agent keeps, fed by its webhooks.

ACA-Py lists every matching credential or exchange record, in no useful order, with no
total and no index on state: pages and lookups grow with everything the wallet ever
held. These indexes keep the few fields Tessera pages and filters by (never a value),
so the wallet asks ACA-Py only for the records it will show or use.
"""
