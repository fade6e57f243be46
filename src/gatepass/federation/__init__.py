"""Sign-in with OpenID Connect providers (and GitHub's OAuth 2.0): configuration,
discovery, the browser's handshake, the id_token check, the provider's answers."""
