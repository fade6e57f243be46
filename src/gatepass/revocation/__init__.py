"""Revocation: which live access tokens are refused, and how every process learns it.

- ``list``: ``RevocationList``, the in-memory list (pure, bounded, O(1) lookups).
- ``wire``: an entry's JSON form (Redis messages, the feed) and the channel name.
- ``subscriber``: the one Redis subscriber loop, with backoff, both syncs use.
- ``server_sync``: ``ServerRevocationSync``, the auth server's list kept in step
  with the database (poll) and the other servers (Redis publish/subscribe).
- ``recording``: the server's store wrapper that hands every new entry to its sync.
- ``protect_sync``: ``RevocationSync`` (exported as ``gatepass.protect.RevocationSync``),
  a resource server's list, fed by the auth server's feed and/or Redis.
- ``revoke``: ``revoke_user``, what logout-all, disabling a user and a password change do.

Only the pure parts are imported here; the syncs are imported from their modules.
"""

from gatepass.revocation.list import RevocationList
from gatepass.revocation.wire import entry_from_json, entry_to_json

__all__ = ["RevocationList", "entry_from_json", "entry_to_json"]
