"""ACA-Py's own function behind an attribute a speed-up may already have wrapped."""


def acapy_original(owner, name):
    """Return `owner.name` as ACA-Py defines it: unbound, and never one of our wrappers.

    Each speed-up wraps with `functools.wraps`, so installing again wraps ACA-Py's
    function, never a wrapper (installs do not stack).
    """
    current = vars(owner)[name] if name in vars(owner) else getattr(owner, name)
    current = getattr(current, "__func__", current)  # a classmethod's function
    return getattr(current, "__wrapped__", current)
