"""Which exporters the settings turn on; built without sending anything."""

from pathlib import Path

import pytest
from azure.monitor.opentelemetry.exporter import AzureMonitorLogExporter, AzureMonitorTraceExporter
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

from entrypoints.otel import exporters
from entrypoints.settings import Settings
from entrypoints.tracing import tracing_configured

CONNECTION_STRING = (
    "InstrumentationKey=4a7f1c2e-0000-4000-8000-00000000abcd;"
    "IngestionEndpoint=https://uksouth-1.in.applicationinsights.azure.com/;"
    "LiveEndpoint=https://uksouth.livediagnostics.monitor.azure.com/"
)


def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Settings:
    for name in ("APPLICATIONINSIGHTS_CONNECTION_STRING", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"JOBS_DATA_DIR": str(tmp_path), **env}.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_nothing_configured_means_no_exporter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = settings(monkeypatch, tmp_path)
    assert not tracing_configured(found)
    assert exporters(found).spans == exporters(found).logs == []


def test_the_connection_string_builds_the_azure_monitor_exporter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The SDK's own telemetry about itself and its remote configuration would call Microsoft.
    for switch in ("STATSBEAT_DISABLED_ALL", "CONTROLPLANE_DISABLED", "SDKSTATS_DISABLED"):
        monkeypatch.setenv(f"APPLICATIONINSIGHTS_{switch}", "true")
    found = settings(monkeypatch, tmp_path, APPLICATIONINSIGHTS_CONNECTION_STRING=CONNECTION_STRING)

    built = exporters(found)
    [exporter], [logs] = built.spans, built.logs

    assert tracing_configured(found)
    assert isinstance(exporter, AzureMonitorTraceExporter)
    assert isinstance(logs, AzureMonitorLogExporter)
    assert exporter._instrumentation_key == "4a7f1c2e-0000-4000-8000-00000000abcd"
    assert exporter._endpoint == "https://uksouth-1.in.applicationinsights.azure.com/"
    assert exporter._storage_directory == str(tmp_path / "azure-monitor")
    assert "4a7f1c2e" not in repr(found)  # the connection string is a secret setting
    exporter.shutdown()
    logs.shutdown()


def test_the_otlp_endpoint_builds_the_otlp_http_exporter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = settings(monkeypatch, tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318")

    built = exporters(found)
    [exporter], [logs] = built.spans, built.logs

    assert isinstance(exporter, OTLPSpanExporter)
    assert exporter._endpoint == "http://127.0.0.1:4318/v1/traces"
    assert isinstance(logs, OTLPLogExporter)
    assert logs._endpoint == "http://127.0.0.1:4318/v1/logs"
    exporter.shutdown()
    logs.shutdown()
