"""One reused instance per thread of a marshmallow schema that keeps no state between calls."""

import contextlib
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


@contextlib.contextmanager
def borrowed(schema_class, unknown):
    """Lend this thread's instance for one call; None while a call already holds it.

    A dump or load that dumps or loads another model of the same class from inside
    itself (a hook, a field, a model's constructor) gets None and builds a fresh
    schema, as ACA-Py would, so no call ever sees another's state.
    """
    busy = getattr(_local, "busy", None)
    if busy is None:
        busy = _local.busy = set()
    key = (schema_class, unknown)
    if key in busy:
        yield None
        return
    busy.add(key)
    try:
        yield per_thread(schema_class, unknown)
    finally:
        busy.discard(key)
