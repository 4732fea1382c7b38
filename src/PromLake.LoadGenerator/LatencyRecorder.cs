using System.Diagnostics;

namespace PromLake.LoadGenerator;

/// <summary>
/// Every measured request's latency, kept raw so percentiles are exact; one recorder per sender so recording
/// takes no lock, merged once at the end.
/// </summary>
internal sealed class LatencyRecorder
{
    private long[] _ticks = new long[4096];
    private int _count;

    public int Count => _count;

    public void Record(long stopwatchTicks)
    {
        if (_count == _ticks.Length)
        {
            Array.Resize(ref _ticks, _ticks.Length * 2);
        }

        _ticks[_count++] = stopwatchTicks;
    }

    /// <summary>Combines the senders' recordings into one sorted distribution.</summary>
    public static LatencyDistribution Merge(IEnumerable<LatencyRecorder> recorders)
    {
        var all = recorders.SelectMany(static r => r._ticks.Take(r._count)).ToArray();
        Array.Sort(all);
        return new LatencyDistribution(all);
    }
}

/// <summary>Sorted latencies with nearest-rank percentiles, in milliseconds.</summary>
internal sealed class LatencyDistribution(long[] sortedTicks)
{
    public int Count => sortedTicks.Length;

    public double MaxMs => Count == 0 ? 0 : ToMs(sortedTicks[^1]);

    public double MeanMs => Count == 0 ? 0 : ToMs((long)sortedTicks.Average());

    /// <summary>The smallest latency that at least <paramref name="percent"/>% of requests did not exceed.</summary>
    public double PercentileMs(double percent)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percent / 100 * Count);
        return ToMs(sortedTicks[Math.Clamp(rank - 1, 0, Count - 1)]);
    }

    private static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
