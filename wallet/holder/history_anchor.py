"""Where the person's wallet anchors its history's head: the holder's own Askar store."""

from ..backup.contents import store_file
from ..history.anchor import StoreAnchor


def store_anchor(settings):
    """Return `anchor(passphrase)` for `Session`: the holder's store, once the agent made it.

    Before the agent has created its store (never, once unlocked) the history falls
    back to the anchor beside it.
    """
    path = store_file(settings)

    def anchor(passphrase):
        return StoreAnchor.for_file(path, passphrase) if path.exists() else None

    return anchor
