"""Small apps protected by gatepass.protect, one per adapter (see each README)."""
