"""A Starlette app protected with ``GatepassMiddleware``."""
