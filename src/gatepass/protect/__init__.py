"""Protect any Python API with gatepass access tokens.

```python
from gatepass.protect import Authenticator

auth = Authenticator(issuer="https://auth.example.com", audience="gatepass",
                     jwks_url="https://auth.example.com/.well-known/jwks.json")
```

then ``Depends(auth)`` in FastAPI, ``GatepassMiddleware(app, authenticator=auth)``
for any ASGI app, or ``@auth.required`` on a Flask view. See docs/protect.md.
"""

from gatepass.protect.answers import ErrorAnswer, answer_for
from gatepass.protect.asgi import PRINCIPAL_KEY, GatepassMiddleware, principal_of, requires
from gatepass.protect.authenticator import Authenticator, RevocationCheck
from gatepass.protect.cache import VerifiedTokenCache
from gatepass.protect.env import authenticator_from_env
from gatepass.protect.fastapi_adapter import GatepassHTTPException
from gatepass.protect.jwks import JWKSClient
from gatepass.protect.principal import Access, Principal
from gatepass.protect.profiles import Profile
from gatepass.revocation.protect_sync import RevocationSync

__all__ = [
    "PRINCIPAL_KEY",
    "Access",
    "Authenticator",
    "ErrorAnswer",
    "GatepassHTTPException",
    "GatepassMiddleware",
    "JWKSClient",
    "Principal",
    "Profile",
    "RevocationCheck",
    "RevocationSync",
    "VerifiedTokenCache",
    "answer_for",
    "authenticator_from_env",
    "principal_of",
    "requires",
]
