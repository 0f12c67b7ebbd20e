"""The starlette HTTP app: health checks and the ``/monitor`` switch."""
