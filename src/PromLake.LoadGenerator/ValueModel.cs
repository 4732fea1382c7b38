namespace PromLake.LoadGenerator;

/// <summary>
/// How one series' value evolves from scrape to scrape. A value is a pure function of the scrape round,
/// so a request body can be re-stamped for any round without keeping history.
/// </summary>
internal abstract class ValueModel
{
    /// <summary>Constant series never need their value rewritten, and their bytes may be compressed like any others.</summary>
    public abstract bool IsConstant { get; }

    /// <summary>The value scraped in <paramref name="round"/> at <paramref name="timestampMs"/>. Never 0 unless constant:
    /// proto3 leaves a 0 out of the wire format, which would change the body's layout.</summary>
    public abstract double ValueAt(long round, long timestampMs);

    public static ValueModel Constant(double value) => new ConstantValue(value);

    /// <summary>A monotonic counter: <paramref name="initial"/> at round 0, growing by about <paramref name="perScrape"/>
    /// each scrape with jitter, rounded down to <paramref name="quantum"/> (1 for event counts, 0 for seconds).</summary>
    public static ValueModel Counter(double initial, double perScrape, double quantum, ulong seed) =>
        new CounterValue(Math.Max(initial, Math.Max(quantum, 1)), perScrape, quantum, seed);

    /// <summary>A gauge wandering within ±<paramref name="relativeAmplitude"/> of <paramref name="mean"/>, rounded to
    /// <paramref name="quantum"/> (e.g. 1024 for /proc/meminfo's kB), never below one quantum so it is never 0.</summary>
    public static ValueModel Gauge(double mean, double relativeAmplitude, double quantum, ulong seed) =>
        new GaugeValue(mean, Math.Clamp(relativeAmplitude, 0, 0.95), quantum, seed);

    /// <summary>node_time_seconds: the scrape's own time.</summary>
    public static ValueModel ScrapeTime { get; } = new ScrapeTimeValue();

    private sealed class ConstantValue(double value) : ValueModel
    {
        public override bool IsConstant => true;
        public override double ValueAt(long round, long timestampMs) => value;
    }

    private sealed class CounterValue(double initial, double perScrape, double quantum, ulong seed) : ValueModel
    {
        public override bool IsConstant => false;

        public override double ValueAt(long round, long timestampMs)
        {
            // Jitter of less than half a step on each round keeps every step positive: the counter never goes down.
            var value = initial + (perScrape * (round + (0.5 * StableHash.UnitInterval(seed, round))));
            return quantum > 0 ? Math.Floor(value / quantum) * quantum : value;
        }
    }

    private sealed class GaugeValue(double mean, double relativeAmplitude, double quantum, ulong seed) : ValueModel
    {
        public override bool IsConstant => false;

        public override double ValueAt(long round, long timestampMs)
        {
            var value = mean * (1 + (relativeAmplitude * ((2 * StableHash.UnitInterval(seed, round)) - 1)));
            return quantum > 0 ? Math.Max(quantum, Math.Round(value / quantum) * quantum) : value;
        }
    }

    private sealed class ScrapeTimeValue : ValueModel
    {
        public override bool IsConstant => false;
        public override double ValueAt(long round, long timestampMs) => timestampMs / 1000.0;
    }
}
