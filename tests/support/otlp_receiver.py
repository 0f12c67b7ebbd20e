"""An OTLP/HTTP receiver stand-in: decodes each protobuf export request, keeps spans and logs."""

import gzip
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def _body(request: Request) -> bytes:
    body = await request.body()
    return gzip.decompress(body) if request.headers.get("content-encoding") == "gzip" else body


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind) if kind else None


class OtlpReceiver:
    """``POST /v1/traces`` and ``/v1/logs`` as a collector answers them; ``spans`` and ``logs``
    list what arrived, decoded. ``keep=False`` (the bench) only counts the spans.
    """

    def __init__(self, *, keep: bool = True) -> None:
        self.spans: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.count = 0
        self._keep = keep
        self.app = Starlette(
            routes=[
                Route("/v1/traces", self._traces, methods=["POST"]),
                Route("/v1/logs", self._logs, methods=["POST"]),
            ]
        )

    async def _logs(self, request: Request) -> Response:
        export = ExportLogsServiceRequest.FromString(await _body(request))
        for resource_logs in export.resource_logs if self._keep else ():
            for scope_logs in resource_logs.scope_logs:
                for record in scope_logs.log_records:
                    self.logs.append(
                        {
                            "body": _value(record.body),
                            "trace_id": record.trace_id.hex(),
                            "attributes": {kv.key: _value(kv.value) for kv in record.attributes},
                        }
                    )
        return Response(
            ExportLogsServiceResponse().SerializeToString(), media_type="application/x-protobuf"
        )

    async def _traces(self, request: Request) -> Response:
        export = ExportTraceServiceRequest.FromString(await _body(request))
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
