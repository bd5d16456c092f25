"""Earnings: what firms owe the person per disclosure, and what they settled."""
