"""Who an account is: the one form of an email, and the rules for a password.

Pure rules, no I/O: ``emails`` (``normalise_email``), ``passwords``
(``normalise_password``, ``check_new_password``) and ``blocklist`` (the shipped
common-password list). The server, the CLI and the store all call these.
"""
