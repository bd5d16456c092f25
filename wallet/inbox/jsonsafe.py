"""Parse JSON from strangers: the nesting depth is checked before the parser sees the text.

Python's `json` parser recurses once per level, so 100,000 nested brackets raise
`RecursionError` (and crash whatever did not expect it). `max_depth` measures the depth
without recursing or backtracking, in a few passes of C-speed bytes operations: escape
pairs are dropped, everything but quotes and brackets is dropped, string contents are
dropped, and the bracket steps are summed.
"""

import itertools
import json

from ..errors import InputError

_KEEP = b'"[]{}'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
_STEP = [0] * 256
for _byte in b"[{":
    _STEP[_byte] = 1
for _byte in b"]}":
    _STEP[_byte] = -1
_CHUNK = 1 << 16


class TooDeep(InputError):
    """A JSON text nests arrays and objects deeper than allowed."""


class NotJSON(InputError):
    """A body is not JSON text (or not UTF-8)."""


def max_depth(data, stop_above=None):
    """Return how deeply `data` (bytes or str) nests arrays and objects (0 for a scalar).

    Counting stops early (the result is then only known to exceed it) past `stop_above`.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    # In JSON a backslash only appears inside strings; `\\` then `\"` removes every
    # escape that could hide or fake a quote (left to right, as a parser reads them).
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = data.translate(None, _DROP)
    outside = b"".join(marks.split(b'"')[::2]) if b'"' in marks else marks
    depth = peak = 0
    for start in range(0, len(outside), _CHUNK):
        chunk = outside[start : start + _CHUNK]
        levels = list(itertools.accumulate(map(_STEP.__getitem__, chunk), initial=depth))
        depth = levels[-1]
        peak = max(peak, max(levels))
        if stop_above is not None and peak > stop_above:
            break
    return peak


def check_depth(data, limit, what="The JSON body"):
    """Raise `TooDeep` when `data` nests deeper than `limit`; return `data`."""
    if max_depth(data, stop_above=limit) > limit:
        raise TooDeep(f"{what} nests deeper than {limit} levels; send a flatter document.")
    return data


def loads(data, limit, what="The JSON body"):
    """Parse `data` once its depth is known to be at most `limit`; raise `InputError` else."""
    check_depth(data, limit, what)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotJSON(f"{what} is not valid JSON (UTF-8).") from None
