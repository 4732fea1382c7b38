namespace PromLake.Query.PromQL.Engine;

/// <summary>
/// Enforces <see cref="PromQLEngineOptions.MaxSamples"/> like Prometheus's <c>query.max-samples</c>: the
/// number of points a query holds in memory at once may not exceed the limit. Counted per evaluated node:
/// while a node computes, its inputs (the outputs of its children) and its own output are held; once it
/// returns, only its output is. Raw stored samples are not counted, as Prometheus does not count them.
/// </summary>
internal sealed class SampleBudget(int maxSamples)
{
    /// <summary>Prometheus's ErrTooManySamples, for an error during evaluation.</summary>
    public const string TooManySamplesMessage = "query processing would load too many samples into memory in query execution";

    /// <summary>Points held by results computed so far and not yet consumed.</summary>
    public long Held { get; private set; }

    public static long PointsIn(List<Series> matrix)
    {
        long n = 0;
        foreach (var s in matrix)
        {
            n += s.PointCount;
        }

        return n;
    }

    /// <summary>
    /// A node finished with <paramref name="outputPoints"/> points: checks the peak (everything held now,
    /// its inputs included, plus its output), then releases its inputs.
    /// </summary>
    public void Settle(long heldBefore, long outputPoints)
    {
        if (maxSamples > 0 && Held + outputPoints > maxSamples)
        {
            throw new PromQLException(TooManySamplesMessage);
        }

        Held = heldBefore + outputPoints;
    }
}
