"""Tables of the enterprises domain."""
