"""Terms protocol 1.0: message types, messages, handler, storage and admin routes."""
