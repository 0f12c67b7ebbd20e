"""An OTLP/HTTP trace receiver stand-in: decodes each protobuf export request, keeps the spans."""

import gzip
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


class OtlpReceiver:
    """``POST /v1/traces`` as a collector answers it; ``spans`` lists what arrived, decoded.

    ``keep=False`` (the bench) only counts them.
    """

    def __init__(self, *, keep: bool = True) -> None:
        self.spans: list[dict[str, Any]] = []
        self.count = 0
        self._keep = keep
        self.app = Starlette(routes=[Route("/v1/traces", self._traces, methods=["POST"])])

    async def _traces(self, request: Request) -> Response:
        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        export = ExportTraceServiceRequest.FromString(body)
        self.count += sum(
            len(scope.spans) for spans in export.resource_spans for scope in spans.scope_spans
        )
        for resource_spans in export.resource_spans if self._keep else ():
            resource = {kv.key: _value(kv.value) for kv in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(
                        {
                            "name": span.name,
                            "trace_id": span.trace_id.hex(),
                            "span_id": span.span_id.hex(),
                            "parent_span_id": span.parent_span_id.hex(),
                            "attributes": {kv.key: _value(kv.value) for kv in span.attributes},
                            "service": resource.get("service.name"),
                        }
                    )
        return Response(
            ExportTraceServiceResponse().SerializeToString(), media_type="application/x-protobuf"
        )

    def named(self, name: str) -> dict[str, Any] | None:
        return next((span for span in self.spans if span["name"] == name), None)
