"""Unit tests for the loopback tails server: upload, refusals, download."""

import hashlib
import io

import base58
import pytest

from wallet.errors import ConfigError
from wallet.tails.server import create_app

CONTENT = b"\x00\x02" + bytes(range(256)) * 3
TOKEN = "issuer-only-upload-token-for-tests"


def tails_hash(data: bytes) -> str:
    """Return the tails hash of `data`."""
    return base58.b58encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def tails_dir(tmp_path):
    """The directory the server keeps files in."""
    return tmp_path / "tails"


def make_client(tails_dir, **config):
    """Return a test client of a tails server with a 4 KiB cap per file."""
    base = {"TAILS_DIR": str(tails_dir), "MAX_TAILS_BYTES": 4096, "UPLOAD_TOKEN": TOKEN}
    return create_app(base | config).test_client()


@pytest.fixture
def client(tails_dir):
    """A test client of a tails server with a 4 KiB cap."""
    return make_client(tails_dir)


def put(client, name, data, field="tails", path=None):
    """Upload `data` as ACA-Py does (multipart, field `tails`) to the issuer's upload URL."""
    return client.put(
        path or f"/upload/{TOKEN}/hash/{name}",
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


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/hash/{name}", 405),  # the public download path takes no uploads
        ("/upload/wrong-token-of-some-length/hash/{name}", 403),
        ("/upload/" + TOKEN[:-1] + "/hash/{name}", 403),
        ("/upload//hash/{name}", 404),
    ],
)
def test_upload_without_the_issuers_token_is_refused_and_stores_nothing(
    client, tails_dir, path, status
):
    name = tails_hash(CONTENT)
    assert put(client, name, CONTENT, path=path.format(name=name)).status_code == status
    assert client.get(f"/hash/{name}").status_code == 404
    assert not tails_dir.exists() or list(tails_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("quota", "kept", "says"),
    [
        ({"QUOTA_FILES": 2}, 2, "2 files, its limit"),
        ({"QUOTA_BYTES": 2 * len(CONTENT) + 10}, 2, "bytes are used up"),
        ({"QUOTA_FILES": 1, "QUOTA_BYTES": 10}, 0, "bytes are used up"),
    ],
)
def test_uploads_past_the_quota_are_refused_and_keep_what_is_stored(tails_dir, quota, kept, says):
    client = make_client(tails_dir, **quota)
    files = [CONTENT + bytes([n]) for n in range(3)]
    answers = [put(client, tails_hash(data), data) for data in files]
    assert [a.status_code for a in answers] == [201] * kept + [507] * (3 - kept)
    assert says in answers[-1].get_json()["error"]
    for data in files[:kept]:
        assert (tails_dir / tails_hash(data)).read_bytes() == data
    assert leftovers(tails_dir) == []


@pytest.mark.parametrize("token", [None, "", "short"])
def test_server_without_a_real_upload_token_does_not_start(tails_dir, token):
    with pytest.raises(ConfigError, match="UPLOAD_TOKEN"):
        create_app({"TAILS_DIR": str(tails_dir), "UPLOAD_TOKEN": token})
