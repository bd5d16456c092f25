"""Signed consent receipts: build, sign (holder), countersign (firm), verify."""
