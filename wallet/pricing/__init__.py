"""The person's price list: exact decimal prices in an ISO 4217 currency, never floats."""
