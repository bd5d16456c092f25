"""QR codes for links, and links too long for one."""

import pytest

from wallet.console.common import qr_data_uri


@pytest.mark.parametrize(
    ("length", "coded"),
    [(200, True), (2000, True), (5000, False)],  # a QR code holds ~2,300 bytes at level M
)
def test_a_link_gets_a_qr_code_only_when_one_can_hold_it(length, coded):
    uri = qr_data_uri("http://127.0.0.1:8040/?oob=" + "a" * length)
    assert (uri is not None and uri.startswith("data:image/svg+xml")) == coded
