"""Tessera's terms protocol over DIDComm, an ACA-Py plugin (`--plugin wallet.terms`).

The plugin (`v1_0/`) carries and stores messages and checks each one on arrival;
the controller-side modules here negotiate terms and look them up.
"""
