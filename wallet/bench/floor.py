"""The floor: AnonCreds create and verify timed in process, on the agents' own request.

The credentials carry the same schemas and values, and the request is the same
(nationality revealed, two predicates), so the floor and the exchange compare. The
bench takes floor samples between exchanges, so both see the same machine: on a
shared machine the in-process floor alone was seen to move by 25% between runs.
"""

import time

import anoncreds

from ..scenario import encoded

ISSUER = "did:tessera:z6MkfloorFLOORfloorFLOORfloorFLOORfloorFLOORfloo"


def _issue(schemas, person, link_secret):
    """Return schema and cred def maps and the holder's credentials, all in process."""
    schema_map, cred_def_map, creds = {}, {}, {}
    for name, schema in schemas.items():
        schema_id = f"{ISSUER}/schema/{name}"
        cred_def_id = f"{ISSUER}/creddef/{name}"
        made = anoncreds.Schema.create(name, schema.version, ISSUER, schema.attr_names)
        cred_def, private, proof = anoncreds.CredentialDefinition.create(
            schema_id, made, ISSUER, "default", "CL"
        )
        offer = anoncreds.CredentialOffer.create(schema_id, cred_def_id, proof)
        request, metadata = anoncreds.CredentialRequest.create(
            "floor-entropy", None, cred_def, link_secret, "default", offer
        )
        values = {k: str(v) for k, v in person[name].items()}
        credential = anoncreds.Credential.create(
            cred_def, private, offer, request, values, {k: encoded(v) for k, v in values.items()}
        ).process(metadata, link_secret, cred_def)
        schema_map[schema_id] = made
        cred_def_map[cred_def_id] = cred_def
        creds[name] = credential
    return schema_map, cred_def_map, creds


def _as_in_process(request, cred_defs_by_name):
    """Point the request's restrictions at the in-process credential definitions."""
    ids = {name: f"{ISSUER}/creddef/{name}" for name in cred_defs_by_name}
    out = {**request, "nonce": anoncreds.generate_nonce()}
    for part in ("requested_attributes", "requested_predicates"):
        out[part] = {}
        for ref, item in request.get(part, {}).items():
            name = next(
                n
                for n, real in cred_defs_by_name.items()
                if item["restrictions"][0]["cred_def_id"] == real
            )
            out[part][ref] = {**item, "restrictions": [{"cred_def_id": ids[name]}]}
    return out, ids


class Floor:
    """In-process credentials for the agents' request, ready to be presented and verified."""

    def __init__(self, schemas, person, request, cred_defs_by_name, clock=time.perf_counter):
        """Issue the credentials in process (the slow part: key generation)."""
        self.clock = clock
        self.link_secret = anoncreds.create_link_secret()
        self.schemas, self.cred_defs, creds = _issue(schemas, person, self.link_secret)
        self.request, ids = _as_in_process(request, cred_defs_by_name)
        self.by_cred_def = {ids[name]: creds[name] for name in creds}

    def sample(self):
        """Create and verify one presentation; return (create ms, verify ms)."""
        present = anoncreds.PresentCredentials()
        for part, reveal in (("requested_attributes", True), ("requested_predicates", None)):
            for ref, item in self.request[part].items():
                cred = self.by_cred_def[item["restrictions"][0]["cred_def_id"]]
                if reveal:
                    present.add_attributes(cred, ref, reveal=True)
                else:
                    present.add_predicates(cred, ref)
        start = self.clock()
        presentation = anoncreds.Presentation.create(
            self.request, present, {}, self.link_secret, self.schemas, self.cred_defs
        )
        made = self.clock()
        if not presentation.verify(self.request, self.schemas, self.cred_defs):
            raise RuntimeError("The in-process presentation did not verify.")
        done = self.clock()
        return (made - start) * 1000, (done - made) * 1000
