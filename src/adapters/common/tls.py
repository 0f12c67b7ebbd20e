"""One TLS context for every outbound HTTPS client of the process.

Each ``httpx`` client otherwise builds its own and loads the whole CA bundle again (about 25 ms
each; the worker makes several at start-up). The context is httpx's default, built once.
"""

import functools
import ssl

import httpx


@functools.cache
def default_tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CA bundle, ``SSL_CERT_FILE``/``_DIR``)."""
    return httpx.create_ssl_context()
