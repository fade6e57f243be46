"""The pure token domain: what gets issued, rotated and revoked, with no I/O."""
