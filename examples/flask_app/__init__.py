"""A Flask app protected with ``@auth.required``."""
