"""Tables of the leases domain."""
