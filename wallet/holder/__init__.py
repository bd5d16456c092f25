"""The person's wallet as a service, with no web framework in it.

`HolderService` unlocks and locks the wallet (its agent, history and responders);
the modules beside it hold what the person can do (`actions`), what a request
would disclose (`disclosure`), the records the pages show (`records`), receipts,
terms, tokens, rules, backups and the inbox link. The web app, a CLI or a host
serving many people call into this package; it never imports them.
"""
