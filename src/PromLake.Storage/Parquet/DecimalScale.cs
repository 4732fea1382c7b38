namespace PromLake.Storage.Parquet;

/// <summary>
/// Decides whether a sample value is a decimal in disguise: a value v is stored as the
/// integer m at scale k when <c>(double)m / 10^k</c> gives v back bit for bit, the same
/// IEEE division a reader (or DuckDB's <c>scaled / value_divisor</c>) performs. Counters
/// are integers (k = 0), CPU seconds are USER_HZ ticks / 100 (k = 2), durations are
/// nanoseconds / 1e9 (k = 9): as integers their deltas pack into a few bits, where their
/// doubles have noisy 52-bit mantissas that no byte-oriented compressor can shrink.
/// Everything else (NaN payloads such as the stale marker, ±Inf, -0.0, values that are not
/// short decimals) stays a double.
/// </summary>
internal static class DecimalScale
{
    /// <summary>Scales tried: up to nanoseconds expressed in seconds and a little beyond.</summary>
    public const int MaxScale = 12;

    /// <summary>|m| at most 2^53, so that converting it to a double is exact in every reader.</summary>
    private const double MaxExactInteger = 9_007_199_254_740_992d;

    private static readonly double[] Divisors = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

    /// <summary>10^k, exactly representable for every scale used.</summary>
    public static double Divisor(int scale) => Divisors[scale];

    /// <summary>The smallest scale at which <paramref name="value"/> round-trips, or -1.</summary>
    public static int SmallestScale(double value)
    {
        for (var scale = 0; scale <= MaxScale; scale++)
        {
            if (TryScale(value, scale, out _))
            {
                return scale;
            }
        }

        return -1;
    }

    /// <summary>The series' scale: the largest of its values' smallest scales (values that have none stay doubles).</summary>
    public static int ScaleOf(ReadOnlySpan<double> values)
    {
        var scale = -1;
        var previous = double.NaN;
        foreach (var value in values)
        {
            // Runs of an unchanged value are common (59-83 % of samples on node_exporter data).
            if (BitConverter.DoubleToUInt64Bits(value) == BitConverter.DoubleToUInt64Bits(previous))
            {
                continue;
            }

            previous = value;
            scale = Math.Max(scale, SmallestScale(value));
            if (scale == MaxScale)
            {
                break;
            }
        }

        return scale;
    }

    /// <summary>Whether <paramref name="value"/> is exactly <c>(double)m / 10^scale</c> for an m of at most 2^53.</summary>
    public static bool TryScale(double value, int scale, out long scaled)
    {
        var product = value * Divisors[scale];
        // Also false for NaN and ±Inf, whose comparisons fail.
        if (!(Math.Abs(product) <= MaxExactInteger))
        {
            scaled = 0;
            return false;
        }

        scaled = (long)Math.Round(product);
        // Bitwise, so -0.0 (which would come back as +0.0) stays a double.
        return BitConverter.DoubleToInt64Bits(scaled / Divisors[scale]) == BitConverter.DoubleToInt64Bits(value);
    }
}
