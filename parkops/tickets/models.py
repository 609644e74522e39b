"""Tables of the tickets domain."""
