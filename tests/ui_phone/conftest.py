"""The browser fixtures of tests/browser (real issuer and verifier agents, the wallet app on
127.0.0.1, the system Chromium) and its first-run wallet, reused for the phone-layout tests."""

from browser.conftest import browser, firms, page, wallet_server  # noqa: F401 - fixtures
from browser.test_wallet_browser import wallet  # noqa: F401 - the set-up wallet, as a fixture
