"""AnonCreds models parsed from verified resources, kept while their content is the same.

A resource's content never changes under its id (the id names its digest), yet every
`get_schema` and `get_credential_definition` parsed it again with marshmallow: a proof
asks for each credential's schema and definition several times at the holder and the
verifier (py-spy at 16 proofs in flight: the schema parse alone was 5% of the holder's
event loop). The resolver still fetches or finds and checks the verified content on
every call; only the parse is kept, and only for that very content object (what the
verified cache returns): content read again, from disk or the network, is parsed
again. ACA-Py's callers read these models and never change them.
"""

import collections

MOST = 256  # models kept (schemas, credential definitions, registry definitions)


class ParsedModels:
    """The last `most` models parsed, each with the content object it came from."""

    def __init__(self, most=MOST):
        """Keep up to `most` models."""
        self.most = most
        self._items = collections.OrderedDict()

    def parse(self, model_class, object_id, content):
        """Return `model_class.deserialize(content)`, parsing only new content."""
        key = (model_class, object_id)
        found = self._items.get(key)
        if found is not None and found[0] is content:
            self._items.move_to_end(key)
            return found[1]
        model = model_class.deserialize(content)
        self._items[key] = (content, model)
        self._items.move_to_end(key)
        while len(self._items) > self.most:
            self._items.popitem(last=False)
        return model
