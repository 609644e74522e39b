"""Use cases of the enterprises domain (flush, never commit): ``register`` (enterprises and
their shops) and ``users`` (invitations and the enterprise's accounts)."""
