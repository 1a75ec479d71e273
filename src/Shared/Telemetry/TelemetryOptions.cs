using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;

namespace Totallator.Shared.Telemetry;

/// <summary>Telemetry export, bound from configuration section <c>Telemetry</c> (silos and the AdminApi alike).</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    public PrometheusTelemetryOptions Prometheus { get; set; } = new();

    public OtlpTelemetryOptions Otlp { get; set; } = new();
}

internal sealed class PrometheusTelemetryOptions
{
    /// <summary>
    /// Serves <c>GET /metrics</c> (Prometheus text format) without authentication, like <c>/health/live</c>: metrics carry counts,
    /// never job output, keys or connection strings. Turn it off where the port is reachable by untrusted clients and scrape
    /// through OTLP instead. Default: true.
    /// </summary>
    public bool Enabled { get; set; } = true;
}

internal sealed class OtlpTelemetryOptions
{
    /// <summary>
    /// Where to export metrics, traces and logs over OTLP (e.g. <c>http://collector:4317</c>). The standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable does the same and wins when both are set. Default: none (no OTLP export).
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The OTLP transport for <see cref="Endpoint"/>: Grpc (port 4317) or HttpProtobuf (port 4318). Default: Grpc.</summary>
    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;
}

/// <summary>Fails start-up with a message naming the option at fault.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Otlp.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            return ValidateOptionsResult.Fail($"{TelemetryOptions.SectionName}:Otlp:Endpoint must be an absolute http or https URI (was '{endpoint}').");
        }
        return ValidateOptionsResult.Success;
    }
}
