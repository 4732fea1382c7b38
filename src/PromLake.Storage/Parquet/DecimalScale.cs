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

    /// <summary>
    /// Series shorter than this keep 10^k: the factor narrows deltas within DELTA_BINARY_PACKED
    /// miniblocks of 32, and a level-0 flush (a few samples a series) should not pay for it.
    /// </summary>
    public const int MinFactorSamples = 32;

    /// <summary>|m| at most 2^53, so that converting it to a double is exact in every reader.</summary>
    private const double MaxExactInteger = 9_007_199_254_740_992d;

    private static readonly double[] Divisors = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

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
    public static bool TryScale(double value, int scale, out long scaled) => TryScale(value, Divisors[scale], out scaled);

    /// <summary>Whether <paramref name="value"/> is exactly <c>(double)m / divisor</c> for an m of at most 2^53.</summary>
    public static bool TryScale(double value, double divisor, out long scaled)
    {
        var product = value * divisor;
        // Also false for NaN and ±Inf, whose comparisons fail.
        if (!(Math.Abs(product) <= MaxExactInteger))
        {
            scaled = 0;
            return false;
        }

        scaled = (long)Math.Round(product);
        // Bitwise, so -0.0 (which would come back as +0.0) stays a double.
        return BitConverter.DoubleToInt64Bits(scaled / divisor) == BitConverter.DoubleToInt64Bits(value);
    }

    /// <summary>
    /// The series' divisor: 10^k at the series' scale k (<see cref="ScaleOf"/>), divided by the
    /// largest common factor g of its integers m when that still gives every value back bit for
    /// bit, or NaN when no value is a short decimal. Counters that move in steps (memory in
    /// 4 KiB pages, frequencies in MHz) then store m / g, whose deltas are log2(g) bits
    /// narrower for DELTA_BINARY_PACKED. Dividing by a power of two is exact, so the power-of-two
    /// part of g is always usable; the rest only when the check passes. SQL reads the value the
    /// same way, <c>scaled / value_divisor</c>.
    /// </summary>
    public static double DivisorOf(ReadOnlySpan<double> values, bool commonFactor)
    {
        var scale = ScaleOf(values);
        if (scale < 0)
        {
            return double.NaN;
        }

        var divisor = Divisors[scale];
        if (!commonFactor || values.Length < MinFactorSamples)
        {
            return divisor;
        }

        ulong factor = 0;
        var previous = double.NaN;
        foreach (var value in values)
        {
            if (BitConverter.DoubleToUInt64Bits(value) == BitConverter.DoubleToUInt64Bits(previous))
            {
                continue;
            }

            previous = value;
            if (TryScale(value, divisor, out var m) && m != 0)
            {
                factor = Gcd(factor, (ulong)Math.Abs(m));
                if (factor == 1)
                {
                    return divisor;
                }
            }
        }

        if (factor <= 1)
        {
            return divisor;
        }

        if (AllScale(values, divisor, divisor / factor))
        {
            return divisor / factor;
        }

        var powerOfTwo = factor & (~factor + 1);
        return powerOfTwo > 1 && AllScale(values, divisor, divisor / powerOfTwo) ? divisor / powerOfTwo : divisor;
    }

    /// <summary>Whether every value that scales by <paramref name="divisor"/> also scales by <paramref name="candidate"/>.</summary>
    private static bool AllScale(ReadOnlySpan<double> values, double divisor, double candidate)
    {
        var previous = double.NaN;
        foreach (var value in values)
        {
            if (BitConverter.DoubleToUInt64Bits(value) == BitConverter.DoubleToUInt64Bits(previous))
            {
                continue;
            }

            previous = value;
            if (!TryScale(value, candidate, out _) && TryScale(value, divisor, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
