namespace PromLake.LoadGenerator;

/// <summary>
/// When each simulated scrape happened: round r of a target is at Start + r * Interval + the target's phase,
/// as Prometheus spreads targets over the interval and then scrapes each one at a steady period.
/// </summary>
/// <remarks>
/// The timeline starts at the beginning of the current interval and advances one interval per round,
/// so a run simulates far more time than it takes (a round of every series takes a fraction of a second).
/// The samples therefore run ahead of the wall clock; a receiver that keeps data from an earlier run of the
/// same series will see the next run as out of order, so compare receivers with fresh storage each run.
/// </remarks>
internal sealed class ScrapeTimeline
{
    // Every timestamp in this range is a 6-byte protobuf varint, which is what lets a pre-compressed body be
    // re-stamped in place (see PreparedBody): 2^35 ms is 1971, 2^42 ms is 2109.
    private const long SmallestPatchableTimestamp = 1L << 35;
    private const long LargestPatchableTimestamp = (1L << 42) - 1;

    public ScrapeTimeline(long startMs, long intervalMs)
    {
        if (intervalMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalMs), "the scrape interval must be at least 1 ms");
        }

        if (startMs < SmallestPatchableTimestamp || startMs > LargestPatchableTimestamp / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(startMs), "the start must be a millisecond Unix time near now");
        }

        StartMs = startMs;
        IntervalMs = intervalMs;
    }

    public long StartMs { get; }
    public long IntervalMs { get; }

    public static ScrapeTimeline StartingNow(TimeSpan interval)
    {
        var intervalMs = Math.Max(1, (long)interval.TotalMilliseconds);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return new ScrapeTimeline(now - (now % intervalMs), intervalMs);
    }

    /// <summary>Each target's fixed offset within the interval, derived from its identity as Prometheus does.</summary>
    public long PhaseOf(string instance, int seed) => (long)(StableHash.Of(instance, (ulong)seed) % (ulong)IntervalMs);

    public long TimestampOf(long phaseMs, long round)
    {
        var timestamp = StartMs + (round * IntervalMs) + phaseMs;
        if (timestamp > LargestPatchableTimestamp)
        {
            throw new InvalidOperationException("the simulated timeline ran past the year 2109");
        }

        return timestamp;
    }
}
