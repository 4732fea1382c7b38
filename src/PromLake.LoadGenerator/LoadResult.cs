namespace PromLake.LoadGenerator;

/// <summary>What a run measured, combined over all senders, plus what it was configured with.</summary>
internal sealed record LoadResult
{
    public required LoadOptions Options { get; init; }
    public required ScrapeWorkload Workload { get; init; }
    public required RequestBodyPool Pool { get; init; }
    public required double PreparationSeconds { get; init; }

    public required long WarmupRequests { get; init; }
    public required IReadOnlyDictionary<string, long> WarmupFailures { get; init; }

    /// <summary>Wall time from the end of the warm-up to the last measured completion.</summary>
    public required double MeasuredSeconds { get; init; }

    public required long Requests { get; init; }
    public required long Succeeded { get; init; }
    public required long SamplesSent { get; init; }
    public required long SamplesAccepted { get; init; }
    public required long BytesSent { get; init; }
    public required IReadOnlyDictionary<string, long> Failures { get; init; }
    public required IReadOnlyDictionary<string, string> FirstFailureMessages { get; init; }
    public required LatencyDistribution Latency { get; init; }

    /// <summary>The generator's own CPU time (user + system) during the measured window.</summary>
    public required double GeneratorCpuSeconds { get; init; }

    /// <summary>Every sample sent is older than this: how far the simulated timeline got, which runs ahead of the wall clock.</summary>
    public required long TimelineEndMs { get; init; }

    public long Failed => Requests - Succeeded;
    public long WarmupFailed => WarmupFailures.Values.Sum();
    public double SamplesPerSecond => MeasuredSeconds > 0 ? SamplesAccepted / MeasuredSeconds : 0;
    public double RequestsPerSecond => MeasuredSeconds > 0 ? Requests / MeasuredSeconds : 0;
    public bool AllSucceeded => Failed == 0 && WarmupFailed == 0;
}
