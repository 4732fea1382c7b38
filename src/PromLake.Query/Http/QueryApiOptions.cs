using System.Globalization;

namespace PromLake.Query.Http;

/// <summary>
/// Options of the Prometheus HTTP API and remote read (<c>PromLake:Query</c>). The defaults are
/// Prometheus's own flags, so a query Prometheus answers is answered here and one it refuses is refused.
/// </summary>
public sealed record QueryApiOptions
{
    public const string Section = "PromLake:Query";

    /// <summary>Most points a query may hold in memory at once (Prometheus: <c>--query.max-samples</c>, 50,000,000).</summary>
    public int MaxSamples { get; init; } = 50_000_000;

    /// <summary>Longest a query may run (Prometheus: <c>--query.timeout</c>, 2m); a <c>timeout</c> parameter can only shorten it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How far back an instant selector looks (Prometheus: <c>--query.lookback-delta</c>, 5m).</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most points per series a range query may ask for (Prometheus: 11,000, fixed).</summary>
    public int MaxPointsPerSeries { get; init; } = 11_000;

    /// <summary>Most samples one remote-read query may return (Prometheus: <c>--storage.remote.read-sample-limit</c>, 5e7).</summary>
    public int RemoteReadSampleLimit { get; init; } = 50_000_000;

    /// <summary>Target size of one streamed remote-read frame (Prometheus: <c>--storage.remote.read-max-bytes-in-frame</c>, 1 MiB).</summary>
    public int RemoteReadMaxBytesInFrame { get; init; } = 1_048_576;

    /// <summary>
    /// The <c>version</c> that <c>/api/v1/status/buildinfo</c> reports. Clients such as Grafana compare it with
    /// Prometheus releases to decide which API features to use; PromLake implements Prometheus 3's API and PromQL.
    /// </summary>
    public string PrometheusVersion { get; init; } = "3.0.0";

    /// <summary>Throws with a message naming the setting when a value cannot work.</summary>
    public void Validate()
    {
        static string Name(string setting) => Section + ":" + setting;

        if (MaxSamples < 0)
        {
            throw new InvalidOperationException($"{Name(nameof(MaxSamples))} must be 0 (no limit) or positive, got {MaxSamples}");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Name(nameof(Timeout))} must be positive, got {Timeout}");
        }

        if (LookbackDelta <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Name(nameof(LookbackDelta))} must be positive, got {LookbackDelta}");
        }

        if (MaxPointsPerSeries <= 0)
        {
            throw new InvalidOperationException($"{Name(nameof(MaxPointsPerSeries))} must be positive, got {MaxPointsPerSeries}");
        }

        if (RemoteReadSampleLimit < 0)
        {
            throw new InvalidOperationException($"{Name(nameof(RemoteReadSampleLimit))} must be 0 (no limit) or positive, got {RemoteReadSampleLimit}");
        }

        if (RemoteReadMaxBytesInFrame < 1024)
        {
            throw new InvalidOperationException(
                $"{Name(nameof(RemoteReadMaxBytesInFrame))} must be at least 1024, got {RemoteReadMaxBytesInFrame.ToString(CultureInfo.InvariantCulture)}");
        }

        if (string.IsNullOrWhiteSpace(PrometheusVersion))
        {
            throw new InvalidOperationException($"{Name(nameof(PrometheusVersion))} must not be empty");
        }
    }
}
