namespace PromLake.Protocol.LogEvents;

/// <summary>Constants of the log event format (proto/promlake/ingest_event.proto).</summary>
public static class IngestEventFormat
{
    /// <summary>The version written in field 1; bump it for any incompatible change.</summary>
    public const uint CurrentVersion = 1;

    /// <summary>Event Hubs refuses events over 1 MB; the local log keeps the same bound.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    public const int DefaultTargetEventBytes = 64 * 1024;

    // Bounds on one TimeSeries entry, so that no series, however many samples it
    // carries, can produce an event over MaxEventBytes: a long series is split
    // into several entries with the same labels, which RW 2.0 allows.
    internal const int MaxSamplesPerEntry = 1024;
    internal const int MaxHistogramBytesPerEntry = 256 * 1024;
    internal const int MaxExemplarsPerEntry = 256;
}
