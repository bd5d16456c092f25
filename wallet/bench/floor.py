"""The floors: AnonCreds work timed in process, on the agents' own request and values.

The proof floor creates and verifies a presentation: the credentials carry the same
schemas and values and the request is the same (nationality revealed, two
predicates), so the floor and the exchange compare. The issuance floor runs the
chain one issuance needs (offer, request, credential, processing by the holder) on
the same credential definition and values the bench issues. The bench takes floor
samples between exchanges, so both see the same machine: on a shared machine the
in-process floor alone was seen to move by 25% between runs.
"""

import time

import anoncreds

from ..scenario import encoded

ISSUER = "did:tessera:z6MkfloorFLOORfloorFLOORfloorFLOORfloorFLOORfloo"
ISSUANCE_STEPS = ("offer", "request", "credential", "process")


class _Issuer:
    """One schema's credential definition with its private key, in process."""

    def __init__(self, name, schema):
        """Create the schema and its credential definition (the slow part: key generation)."""
        self.schema_id = f"{ISSUER}/schema/{name}"
        self.cred_def_id = f"{ISSUER}/creddef/{name}"
        self.schema = anoncreds.Schema.create(name, schema.version, ISSUER, schema.attr_names)
        self.cred_def, self.private, self.proof = anoncreds.CredentialDefinition.create(
            self.schema_id, self.schema, ISSUER, "default", "CL"
        )

    def issue(self, values, link_secret, clock=time.perf_counter):
        """Run one issuance; return (credential, {step: ms})."""
        values = {k: str(v) for k, v in values.items()}
        moments = [clock()]
        offer = anoncreds.CredentialOffer.create(self.schema_id, self.cred_def_id, self.proof)
        moments.append(clock())
        request, metadata = anoncreds.CredentialRequest.create(
            "floor-entropy", None, self.cred_def, link_secret, "default", offer
        )
        moments.append(clock())
        credential = anoncreds.Credential.create(
            self.cred_def,
            self.private,
            offer,
            request,
            values,
            {k: encoded(v) for k, v in values.items()},
        )
        moments.append(clock())
        credential = credential.process(metadata, link_secret, self.cred_def)
        moments.append(clock())
        steps = {
            step: (moments[i + 1] - moments[i]) * 1000 for i, step in enumerate(ISSUANCE_STEPS)
        }
        return credential, steps


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
        self.person = person
        self.link_secret = anoncreds.create_link_secret()
        self.issuers = {name: _Issuer(name, schema) for name, schema in schemas.items()}
        self.schemas = {i.schema_id: i.schema for i in self.issuers.values()}
        self.cred_defs = {i.cred_def_id: i.cred_def for i in self.issuers.values()}
        self.request, ids = _as_in_process(request, cred_defs_by_name)
        self.by_cred_def = {
            ids[name]: self.issuers[name].issue(person[name], self.link_secret)[0]
            for name in cred_defs_by_name
            if name in self.issuers
        }

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

    def issuance_sample(self, name):
        """Run one in-process issuance of `name`'s credential; return {step: ms}."""
        return self.issuers[name].issue(self.person[name], self.link_secret, self.clock)[1]
