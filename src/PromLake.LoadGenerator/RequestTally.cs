namespace PromLake.LoadGenerator;

/// <summary>One sender's counts for one phase (warm-up or measured); each sender owns its tallies, so no locks.</summary>
internal sealed class RequestTally
{
    public long Requests { get; private set; }
    public long Succeeded { get; private set; }
    public long SamplesSent { get; private set; }
    public long SamplesAccepted { get; private set; }
    public long BytesSent { get; private set; }

    /// <summary>Stopwatch timestamp of the last completion, which ends the measured window.</summary>
    public long LastCompletedAt { get; private set; }

    public Dictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>The first response body (or error) seen for each failure key: says why, e.g. "out of order sample".</summary>
    public Dictionary<string, string> FirstFailureMessages { get; } = new(StringComparer.Ordinal);

    public LatencyRecorder Latencies { get; } = new();

    public void Record(SendOutcome outcome, long latencyTicks, long completedAt, int samples, int bytes)
    {
        Requests++;
        SamplesSent += samples;
        BytesSent += bytes;
        LastCompletedAt = Math.Max(LastCompletedAt, completedAt);
        Latencies.Record(latencyTicks);
        if (outcome.Succeeded)
        {
            Succeeded++;
            SamplesAccepted += samples;
            return;
        }

        var key = outcome.FailureKey;
        Failures[key] = Failures.GetValueOrDefault(key) + 1;
        FirstFailureMessages.TryAdd(key, outcome.Error ?? string.Empty);
    }
}
