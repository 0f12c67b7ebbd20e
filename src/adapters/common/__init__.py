"""Small helpers several adapters share. This package imports no other adapter, and it is the
one adapter package the others may import (the independence contract in pyproject.toml)."""
