"""The web console's static files (served by ``gatepass.server.console``).

Plain HTML, CSS and ES modules: nothing to build, nothing fetched from the
internet. ``gatepass-client.js`` (with the ``gatepass-http.js`` and
``gatepass-account.js`` it imports) is also meant to be copied into SPAs.
"""
