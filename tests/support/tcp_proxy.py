"""A loopback TCP proxy a test can cut and restore: network outages between a process and Redis.

Threads, not the test's event loop, carry the bytes, so the proxy keeps working while the test
waits or samples a process. ``cut()`` resets every connection and closes the listening socket
(new connections are refused); ``restore()`` listens again on the same port.
"""

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

_CHUNK = 65536


class TcpProxy:
    """``127.0.0.1:<port>`` forwarded to ``target``; ``cut``/``restore`` switch the link."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self.connections_accepted = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (on a free port the first time, on the same port after a cut)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Drop every connection (RST) and refuse new ones until ``restore``."""
        with self._lock:
            listener, self._listener = self._listener, None
            doomed = list(self._sockets)
            self._sockets.clear()
        if listener is not None:
            _kill(listener)
        for sock in doomed:
            _kill(sock)

    def restore(self) -> None:
        self.start()

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut or closed
            try:
                upstream = socket.create_connection(self._target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _kill(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    _kill(client)
                    _kill(upstream)
                    continue
                self._sockets.update((client, upstream))
                self.connections_accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(_CHUNK):
                sink.sendall(chunk)
        except OSError:
            pass
        with self._lock:
            owned = source in self._sockets
            self._sockets.discard(source)
            self._sockets.discard(sink)
        if owned:  # the peer closed normally: close the other side too
            _kill(source)
            _kill(sink)


def _kill(sock: socket.socket) -> None:
    """Close with RST (linger 0), waking any thread blocked on the socket."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@contextlib.contextmanager
def running_proxy(target_host: str, target_port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(target_host, target_port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
