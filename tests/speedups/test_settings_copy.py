"""`settings_copy`: a scope's settings are the same copy, taken as a dict."""

import pytest
from acapy_agent.config.injection_context import InjectionContext
from acapy_agent.config.settings import Settings

from wallet.speedups import settings_copy

VALUES = [
    {},
    {"a": 1},
    {"default_label": "holder", "debug.presentations": None, "plugin_config": {"x": {"y": 1}}},
    {f"setting.{i}": i for i in range(200)},
]


@pytest.fixture
def dict_copy():
    """Install the dict copy for one test; afterwards put ACA-Py's back."""
    saved = Settings.__dict__["__init__"]
    settings_copy.install()
    yield
    Settings.__init__ = saved


def stock_copy(values):
    copied = Settings.__new__(Settings)
    settings_copy.original()(copied, values)
    return copied


@pytest.mark.parametrize("values", VALUES)
@pytest.mark.parametrize("wrap", [Settings, dict, lambda v: v or None])
def test_a_copy_holds_what_acapys_copy_holds(dict_copy, values, wrap):
    source = wrap(values)
    copied = Settings(source)
    assert copied._values == stock_copy(source)._values == values
    copied["added"] = True
    assert "added" not in (source or {})


@pytest.mark.parametrize("values", VALUES)
def test_a_scope_started_has_the_same_settings(dict_copy, values):
    context = InjectionContext(settings=values)
    scope = context.start_scope({"scoped": 1})
    assert scope.settings._values == {**values, "scoped": 1}
    assert "scoped" not in context.settings


def test_settings_are_copied_without_a_call_per_key(dict_copy, monkeypatch):
    calls = []
    original = Settings.__getitem__

    def counted(self, index):
        calls.append(index)
        return original(self, index)

    monkeypatch.setattr(Settings, "__getitem__", counted)
    Settings(Settings(VALUES[-1]))
    assert calls == []


def test_a_subclass_is_copied_through_its_own_getitem(dict_copy):
    class Shouting(Settings):
        def __getitem__(self, index):
            return str(super().__getitem__(index)).upper()

    assert Settings(Shouting({"a": "quiet"}))._values == {"a": "QUIET"}


def test_installing_again_wraps_acapys_own(dict_copy):
    settings_copy.install()
    assert Settings.__init__.__wrapped__ is settings_copy.original()
    assert settings_copy.original().__module__ == "acapy_agent.config.settings"
