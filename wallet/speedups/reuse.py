"""One reused instance per thread of a marshmallow schema that keeps no state between calls."""

import threading

_local = threading.local()


def per_thread(schema_class, unknown):
    """Return this thread's instance of `schema_class` built with `unknown`."""
    cache = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    key = (schema_class, unknown)
    found = cache.get(key)
    if found is None:
        found = cache[key] = schema_class(unknown=unknown)
    return found
