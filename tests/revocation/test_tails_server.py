"""Unit tests for the loopback tails server: upload, refusals, download."""

import hashlib
import io

import base58
import pytest

from wallet.tails.server import create_app

CONTENT = b"\x00\x02" + bytes(range(256)) * 3


def tails_hash(data: bytes) -> str:
    """Return the tails hash of `data`."""
    return base58.b58encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def tails_dir(tmp_path):
    """The directory the server keeps files in."""
    return tmp_path / "tails"


@pytest.fixture
def client(tails_dir):
    """A test client of a tails server with a 4 KiB cap."""
    app = create_app({"TAILS_DIR": str(tails_dir), "MAX_TAILS_BYTES": 4096})
    return app.test_client()


def put(client, name, data, field="tails"):
    """Upload `data` as ACA-Py does (multipart, field `tails`)."""
    return client.put(
        f"/hash/{name}",
        data={field: (io.BytesIO(data), "tails")},
        content_type="multipart/form-data",
    )


def leftovers(tails_dir):
    """Return temporary files left in the tails directory."""
    return sorted(p.name for p in tails_dir.glob(".*")) if tails_dir.exists() else []


def test_upload_then_download_returns_the_same_bytes(client, tails_dir):
    name = tails_hash(CONTENT)
    assert put(client, name, CONTENT).status_code == 201
    with client.get(f"/hash/{name}") as got:
        assert got.status_code == 200
        assert got.data == CONTENT
    assert (tails_dir / name).read_bytes() == CONTENT
    assert leftovers(tails_dir) == []


def test_same_upload_again_is_accepted_without_change(client):
    name = tails_hash(CONTENT)
    assert put(client, name, CONTENT).status_code == 201
    assert put(client, name, CONTENT).status_code == 200


def test_upload_whose_hash_does_not_match_is_refused(client, tails_dir):
    answer = put(client, tails_hash(b"other"), CONTENT)
    assert answer.status_code == 400
    assert "hashes to" in answer.get_json()["error"]
    assert [p.name for p in tails_dir.iterdir()] == []


def test_overwrite_with_other_content_is_refused_and_keeps_the_file(client, tails_dir):
    name = tails_hash(CONTENT)
    put(client, name, CONTENT)
    answer = put(client, name, CONTENT + b"x")
    assert answer.status_code == 400
    assert (tails_dir / name).read_bytes() == CONTENT
    assert leftovers(tails_dir) == []


def test_damaged_stored_file_is_reported_as_conflict(client, tails_dir):
    name = tails_hash(CONTENT)
    put(client, name, CONTENT)
    (tails_dir / name).write_bytes(b"damaged")
    answer = put(client, name, CONTENT)
    assert answer.status_code == 409
    assert (tails_dir / name).read_bytes() == b"damaged"


def test_upload_over_the_cap_is_refused(client, tails_dir):
    data = b"x" * 5000
    answer = put(client, tails_hash(data), data)
    assert answer.status_code == 400
    assert "larger than 4096" in answer.get_json()["error"]
    assert leftovers(tails_dir) == []


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("..%2F..%2Fetc%2Fpasswd", 404),
        ("not-base58-0OIl", 400),
        ("abc", 400),
        (tails_hash(b"never uploaded"), 404),
    ],
)
def test_download_of_bad_or_unknown_name_fails_cleanly(client, name, status):
    assert client.get(f"/hash/{name}").status_code == status


def test_upload_without_tails_field_is_refused(client):
    answer = put(client, tails_hash(CONTENT), CONTENT, field="file")
    assert answer.status_code == 400
    assert "'tails'" in answer.get_json()["error"]
