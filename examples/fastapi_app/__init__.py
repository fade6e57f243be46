"""A FastAPI app protected with ``Depends(auth)``."""
