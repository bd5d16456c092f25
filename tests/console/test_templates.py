"""What every template promises a screen reader, checked in the template files themselves."""

import re
from pathlib import Path

import pytest

import wallet

TEMPLATES = sorted(Path(wallet.__file__).parent.glob("*/templates/**/*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parts[-4]}/{'/'.join(p.parts[-2:])}")
def test_no_table_header_is_empty(path):
    """An empty <th> names nothing to a screen reader (axe: empty-table-header, #22.9)."""
    assert re.search(r"<th>\s*</th>", path.read_text()) is None
