namespace PromLake.LoadGenerator;

/// <summary>Everything a run is told on the command line, already validated.</summary>
internal sealed record LoadOptions
{
    public Uri? Url { get; init; }
    public RemoteWriteProtocol Protocol { get; init; } = RemoteWriteProtocol.V1;
    public int Concurrency { get; init; } = 8;

    /// <summary>Measured seconds after the warm-up; null when only a request count bounds the run.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Measured requests after the warm-up; null when only the duration bounds the run.</summary>
    public long? Requests { get; init; }

    public double WarmupSeconds { get; init; } = 2;

    /// <summary>Simulated hosts; null picks enough for at least two request bodies per connection.</summary>
    public int? Targets { get; init; }

    public int SeriesPerRequest { get; init; } = 2000;
    public int SamplesPerSeries { get; init; } = 1;
    public double ScrapeIntervalSeconds { get; init; } = 15;
    public int Seed { get; init; } = 1;
    public double TimeoutSeconds { get; init; } = 30;

    /// <summary>A complete Authorization header value (Basic or Bearer), or null.</summary>
    public string? Authorization { get; init; }

    public bool Json { get; init; }
    public bool SelfCheck { get; init; }
}
