"""`askar_buffers`: an encrypted message's parts are the bytes Askar's own slicing gives."""

import pytest
from aries_askar import Key, KeyAlg
from aries_askar.bindings.lib import RawBuffer

from wallet.speedups import askar_buffers

# Empty, one byte, a small message, a presentation-sized one (41 KB).
SIZES = [0, 1, 700, 41_000]
SLICES = [
    slice(None, None),
    slice(0, 5),
    slice(-12, None),
    slice(3, -3, 2),
    slice(10, 3),
    slice(None, None, -1),
]


@pytest.fixture
def one_copy():
    """Install the one-copy slicing for one test; afterwards put Askar's back."""
    saved = askar_buffers.Encrypted.__dict__["__getitem__"]
    askar_buffers.install()
    yield
    askar_buffers.Encrypted.__getitem__ = saved


def encrypted(size):
    key = Key.generate(KeyAlg.C20P)
    return key, key.aead_encrypt(bytes(range(256)) * (size // 256) + b"m" * (size % 256))


@pytest.mark.parametrize("size", SIZES)
def test_parts_are_the_bytes_askar_gives(one_copy, size):
    key, enc = encrypted(size)
    stock = askar_buffers.original()
    ciphertext, tag, nonce = enc.parts
    assert ciphertext == stock(enc, slice(None, enc.tag_pos))
    assert tag == stock(enc, slice(enc.tag_pos, enc.nonce_pos))
    assert nonce == stock(enc, slice(enc.nonce_pos, None))
    assert (enc.ciphertext_tag, enc.ciphertext, enc.nonce, enc.tag) == (
        ciphertext + tag,
        ciphertext,
        nonce,
        tag,
    )
    assert bytes(enc) == ciphertext + tag
    assert key.aead_decrypt(ciphertext, nonce=nonce, tag=tag) == (
        bytes(range(256)) * (size // 256) + b"m" * (size % 256)
    )


@pytest.mark.parametrize("index", SLICES)
def test_any_slice_is_the_slice_askar_gives(one_copy, index):
    _, enc = encrypted(700)
    assert enc[index] == askar_buffers.original()(enc, index)


def test_an_index_that_is_no_slice_is_left_to_askar(one_copy):
    _, enc = encrypted(700)
    assert enc[3] == askar_buffers.original()(enc, 3)


def test_slicing_copies_the_buffer_once_without_a_list_per_byte(one_copy, monkeypatch):
    _, enc = encrypted(41_000)
    expected = askar_buffers.original()(enc, slice(None, enc.tag_pos))

    def no_array(_):
        raise AssertionError("sliced through the ctypes array, one int per byte")

    monkeypatch.setattr(RawBuffer, "array", property(no_array))
    assert enc.ciphertext == expected


def test_installing_again_wraps_askars_own(one_copy):
    askar_buffers.install()
    assert askar_buffers.Encrypted.__getitem__.__wrapped__ is askar_buffers.original()
    assert askar_buffers.original().__module__ == "aries_askar.bindings.lib"
