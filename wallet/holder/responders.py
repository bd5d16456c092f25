"""What answers for the person while the wallet is unlocked: their rules and their prices.

Started by unlock and stopped by lock, explicitly: the rules responder answers proof
requests the person's rules decide (`Autoanswer`), the terms responder answers
firms' offers of terms, gates automatic answers on agreed terms and issues the
receipt of each automatic answer (`TermsAnswer`).
"""

from .autoanswer import Autoanswer
from .termsanswer import TermsAnswer


class Responders:
    """The rules responder and the terms responder of one wallet, started and stopped together."""

    def __init__(self, data_dir, schemas, wall_clock):
        """Use the wallet's data directory, the schemas (labels) and its clock (aware)."""
        self.rules = Autoanswer(data_dir, schemas, lambda: wall_clock().date())
        self.terms = TermsAnswer(data_dir, wall_clock, on_agreed=self.rules.retry)

    def start(self, agent, history, waiting, lookup=None):
        """Start both on the newly unlocked agent; each catches up on what `waiting` holds.

        `lookup` finds a request's candidates (the wallet's credential index), as
        `present.assess` takes it.
        """
        self.rules.start(
            agent,
            history,
            waiting,
            gate=self.terms.gate,
            after_sent=self.terms.receipt_for,
            lookup=lookup,
        )
        self.terms.start(agent, waiting)

    def stop(self):
        """Stop both (at lock); each finishes what it holds."""
        self.terms.stop()
        self.rules.stop()

    def agreed(self, pres_ex_id):
        """Terms were agreed for a waiting request: let the person's rules decide again."""
        return self.rules.retry(pres_ex_id)


class NoResponders:
    """Nothing answers for the person (the bench's page timings; tools that only read)."""

    def start(self, agent, history, waiting, lookup=None):
        """Start nothing."""

    def stop(self):
        """Stop nothing."""

    def agreed(self, pres_ex_id):
        """Decide nothing again."""
        return False
