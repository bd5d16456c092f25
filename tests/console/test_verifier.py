"""Verifier console with a fake agent: templates, compose form, sending."""

import json
import shutil

import pytest

from wallet.console.request_templates import REQUESTS_DIR
from wallet.errors import AgentError

from .conftest import make_console
from .fakes import CRED_DEF, fake_agent


@pytest.fixture
def requests_dir(tmp_path):
    target = tmp_path / "requests"
    shutil.copytree(REQUESTS_DIR, target)
    return target


def _verifier_console(tmp_path, requests_dir, **config):
    return make_console(
        "verifier",
        fake_agent("verifier"),
        tmp_path,
        REQUESTS_DIR=requests_dir,
        TRUSTED_CRED_DEFS=[CRED_DEF],
        **config,
    )


@pytest.fixture
def console(tmp_path, requests_dir):
    return _verifier_console(tmp_path, requests_dir)


def test_templates_are_listed(console):
    page = console.get("/verifier/").text
    assert "Age at least 18" in page and "Income at least 30000" in page


def test_malformed_template_file_is_reported_clearly(console, requests_dir):
    (requests_dir / "broken.json").write_text('{"name": "Broken", "reveal": [{"schema": "x"}]}')
    page = console.get("/verifier/").text
    assert "broken.json: field &#39;reveal[0]&#39;" in page
    response = console.get("/verifier/requests/broken")
    assert response.status_code == 400 and "broken.json" in response.text


def test_send_page_previews_request_with_trusted_restrictions(console):
    page = console.get("/verifier/requests/income_min").text
    assert CRED_DEF in page and "&#34;p_value&#34;: 30000" in page


def test_untrusted_schema_is_explained(console):
    page = console.get("/verifier/requests/age_18").text  # trusts only an income cred def
    assert "trusts no issuer of &#39;national_id&#39;" in page


def test_bad_trusted_issuer_config_fails_at_build(tmp_path):
    from wallet.console import create_app
    from wallet.errors import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_ISSUERS"):
        create_app(
            "verifier",
            fake_agent("verifier"),
            {"DATA_DIR": tmp_path, "TRUSTED_ISSUERS": ["did:web:example.org"]},
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mode": "connection", "connection_id": "nobody"}, "connection_id"),
        ({"mode": "connection", "connection_id": "conn-1", "threshold_0": "many"}, "threshold_0"),
        ({"mode": "connection", "connection_id": "conn-1", "threshold_0": "1e9"}, "threshold_0"),
    ],
)
def test_bad_send_form_sends_nothing(console, data, field):
    response = console.post("/verifier/requests/income_min", data)
    assert response.status_code == 400 and f'id="{field}-error"' in response.text
    assert console.app.extensions["tessera"]["agent"].admin.writes() == []


def test_send_to_connection_redirects_to_result(console):
    response = console.post(
        "/verifier/requests/income_min", {"mode": "connection", "connection_id": "conn-1"}
    )
    assert response.status_code == 302 and "/verifier/results/" in response.headers["Location"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        (
            {"name": "Y", "pred_attr_0": "employment_income.annual_income", "pred_value_0": "a"},
            "pred_value_0",
        ),
        (
            {
                "name": "Y",
                "pred_attr_0": "national_id.birthdate_dateint",
                "pred_kind_0": "years",
                "pred_value_0": "200",
            },
            "pred_value_0",
        ),
        (
            {
                "name": "Y",
                "pred_attr_0": "national_id.birthdate_dateint",
                "pred_kind_0": "~",
                "pred_value_0": "2",
            },
            "pred_kind_0",
        ),
    ],
)
def test_bad_compose_form_is_shown_at_the_field(console, data, field):
    response = console.post("/verifier/compose", data)
    assert (response.status_code == 400 and f'id="{field}-error"' in response.text) or (
        field == "pred_kind_0" and "Pick a comparison" in response.text
    )


def test_compose_asking_for_nothing_is_refused(console):
    response = console.post("/verifier/compose", {"name": "Empty"})
    assert response.status_code == 400 and "asks for nothing" in response.text


def test_compose_saves_and_opens_the_new_template(console, tmp_path):
    response = console.post(
        "/verifier/compose",
        {
            "name": "Adult resident",
            "reveal": "national_id.address_country",
            "pred_attr_0": "national_id.birthdate_dateint",
            "pred_kind_0": "years",
            "pred_value_0": "18",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verifier/requests/custom-adult-resident")
    assert (tmp_path / "verifier" / "requests" / "custom-adult-resident.json").exists()
    again = console.post(
        "/verifier/compose", {"name": "Adult resident", "reveal": "national_id.address_country"}
    )
    assert again.status_code == 400 and "exists" in again.text


def test_unknown_result_is_404(console):
    assert console.get("/verifier/results/not-a-uuid").status_code == 404


TRUSTED = "did:tessera:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"


@pytest.fixture
def trusting_console(tmp_path, requests_dir):
    return _verifier_console(tmp_path, requests_dir, TRUSTED_ISSUERS=[TRUSTED])


def test_compose_offers_the_trusted_issuers_as_restrictions(trusting_console):
    page = trusting_console.get("/verifier/compose").text
    assert f'name="issuers" value="{TRUSTED}"' in page


@pytest.mark.parametrize(
    ("issuers", "status"),
    [([TRUSTED], 302), (["did:tessera:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"], 400)],
)
def test_compose_saves_restrictions_and_non_revocation(trusting_console, tmp_path, issuers, status):
    response = trusting_console.post(
        "/verifier/compose",
        {
            "name": "State adult",
            "pred_attr_0": "national_id.birthdate_dateint",
            "pred_kind_0": "years",
            "pred_value_0": "18",
            "issuers": issuers,
            "non_revoked": "on",
        },
    )
    assert response.status_code == status
    saved = tmp_path / "verifier" / "requests" / "custom-state-adult.json"
    if status == 302:
        data = json.loads(saved.read_text())
        assert (data["issuers"], data["non_revoked"]) == ([TRUSTED], True)
    else:
        assert 'id="issuers-error"' in response.text and not saved.exists()


UNKNOWN = "did:tessera:z6MkunknownUNKNOWNunknownUNKNOWNunknownUNKNOWNunk/creddef/none"
PRES_EX = "00000000-0000-0000-0000-000000000007"


@pytest.mark.parametrize(("status", "page"), [(500, 200), (404, 200), (None, 502)])
def test_a_request_naming_an_unresolvable_cred_def_still_shows(
    tmp_path, requests_dir, status, page
):
    """A past request may name any id: the pages show it; only a dead agent fails them."""
    console = _verifier_console(tmp_path, requests_dir)
    admin = console.app.extensions["tessera"]["agent"].admin
    record = {
        "pres_ex_id": PRES_EX,
        "state": "request-sent",
        "updated_at": "2026-11-29T00:00:00Z",
        "by_format": {
            "pres_request": {
                "anoncreds": {
                    "name": "Income check",
                    "requested_attributes": {},
                    "requested_predicates": {
                        "income": {
                            "name": "annual_income",
                            "p_type": ">=",
                            "p_value": 30000,
                            "restrictions": [{"cred_def_id": UNKNOWN}, {"cred_def_id": CRED_DEF}],
                        }
                    },
                }
            }
        },
    }
    answer = admin.get

    def get(path, **params):
        if UNKNOWN.replace(":", "%3A").replace("/", "%2F") in path:
            raise AgentError("GET", path, status, "cannot resolve")
        if path.endswith("/records"):
            return {"results": [record]}
        if path.endswith(PRES_EX):
            return record
        return answer(path, **params)

    admin.get = get
    for url in ("/verifier/", f"/verifier/results/{PRES_EX}"):
        assert console.get(url).status_code == page


def _probe_request(p_value):
    return {
        "anoncreds": {
            "name": "Probe",
            "requested_attributes": {},
            "requested_predicates": {
                "age": {
                    "name": "birthdate_dateint",
                    "p_type": "<=",
                    "p_value": p_value,
                    "restrictions": [{"cred_def_id": CRED_DEF}],
                }
            },
        }
    }


@pytest.mark.parametrize(
    ("by_format", "shown"),
    [
        ({"pres_proposal": _probe_request(20081130)}, "on or before 2008-11-30"),
        ({"pres_proposal": _probe_request(2147483648)}, "&lt;= 2147483648"),  # no date
        ({"pres_proposal": _probe_request(-1)}, "&lt;= -1"),
        ({"pres_request": {"dif": {"presentation_definition": {}}}}, "asked in dif; this"),
        ({"pres_request": {}}, "asked in no format at all"),
    ],
)
def test_every_exchange_a_firm_sent_is_listed_whatever_it_asked(
    tmp_path, requests_dir, by_format, shown
):
    """A probing threshold or a format the console does not read never breaks a page."""
    console = _verifier_console(tmp_path, requests_dir)
    admin = console.app.extensions["tessera"]["agent"].admin
    record = {
        "pres_ex_id": PRES_EX,
        "state": "proposal-received",
        "updated_at": "2026-11-29T00:00:00Z",
        "by_format": by_format,
    }
    answer = admin.get

    def get(path, **params):
        if path.endswith("/records"):
            return {"results": [record]}
        if path.endswith(PRES_EX):
            return record
        if path.startswith("/anoncreds/schema/"):
            return {"schema": {"name": "national_id"}}
        return answer(path, **params)

    admin.get = get
    for url in ("/verifier/", "/verifier/results", f"/verifier/results/{PRES_EX}"):
        page = console.get(url)
        assert page.status_code == 200, url
    assert shown.lower() in page.text.lower()
