"""Tessera: a personal-data wallet over ACA-Py."""

__version__ = "0.1.0"
