"""The JOSE core's strict JSON, for any other parser that wants the same rules.

Duplicate member names, invalid UTF-8, lone surrogates and ``NaN``/``Infinity``
(or numbers overflowing to them) are refused with ``MalformedTokenError``, whose
message never echoes the input. The server parses request bodies with it, so a
body means the same thing to gatepass as to any other strict reader.
"""

from gatepass.jose._json import loads, loads_object

__all__ = ["loads", "loads_object"]
