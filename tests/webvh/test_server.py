"""The publication server's path mapping (pure): only logs, resources and tails files."""

from pathlib import Path

import pytest

from wallet.webvh.ids import digest_multibase
from wallet.webvh.server import served_file

ROOT, TAILS = Path("/srv/publish"), Path("/srv/tails")
DIGEST = digest_multibase({"a": 1})
TAILS_HASH = "4K7sUxkBGKDQVRfpKEo2cg1cDySZ5jLTTYd67pv8XRcA"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/.well-known/did.jsonl", (ROOT / ".well-known/did.jsonl", "application/jsonl")),
        ("/issuers/gov/did.jsonl", (ROOT / "issuers/gov/did.jsonl", "application/jsonl")),
        (f"/resources/{DIGEST}", (ROOT / "resources" / DIGEST, "application/json")),
        (
            f"/issuers/gov/resources/{DIGEST}",
            (ROOT / "issuers/gov/resources" / DIGEST, "application/json"),
        ),
        (f"/tails/hash/{TAILS_HASH}", (TAILS / TAILS_HASH, "application/octet-stream")),
        ("/resources/index.json", (ROOT / "resources/index.json", "application/json")),
        ("/resources/other.json", None),
        ("/", None),
        ("/.well-known/../../etc/passwd", None),
        ("/resources/../did.jsonl", None),
        ("/resources/not-a-digest", None),
        ("/.git/config", None),
        ("/.hidden/did.jsonl", None),
        ("/tails/hash/../x", None),
        ("/tails/hash/short", None),
        ("/ca-key.pem", None),
        ("//resources//" + DIGEST, None),
    ],
)
def test_paths_map_only_to_published_files(path, expected):
    assert served_file(ROOT, TAILS, path) == expected
