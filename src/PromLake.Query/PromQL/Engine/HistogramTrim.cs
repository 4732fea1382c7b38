using PromLake.Query.Model;

namespace PromLake.Query.PromQL.Engine;

/// <summary>
/// The experimental trim operators: <c>h &lt;/ x</c> keeps the observations up to x, <c>h &gt;/ x</c> those
/// from x on. A bucket the threshold cuts keeps the share that interpolation puts on the kept side
/// (exponential interpolation in exponential buckets, linear in custom buckets and the zero bucket), as
/// histogram_fraction does. When anything is removed, count and sum are recomputed from what remains, each
/// bucket's observations taken at the midpoint of its kept part (geometric for exponential buckets).
/// </summary>
/// <remarks>
/// Custom-bucket edge cases follow Prometheus 3's scripts: the lowest bucket (-Inf, u] with u &gt; 0 is
/// taken to hold values in [0, u], so a cut below 0 keeps nothing of it; with u ≤ 0 it cannot be
/// interpolated, so "up to x" keeps all of it (at x) and "from x" none. The +Inf bucket (l, +Inf] kept
/// "from x" keeps everything (at max(l, x)); "up to x" keeps nothing of it.
/// </remarks>
internal static class HistogramTrim
{
    /// <summary>The share of one bucket left after trimming, and where its observations are taken to be.</summary>
    private readonly record struct Kept(double Count, double At);

    public static FloatHistogram Trim(FloatHistogram h, double x, bool keepBelow)
    {
        var result = h.Copy();
        var removed = false;
        double count = 0, sum = 0;

        void Account(Kept k, double original)
        {
            removed |= k.Count != original;
            count += k.Count;
            if (k.Count != 0)
            {
                sum += k.Count * k.At;
            }
        }

        var pos = IndexedBuckets.From(h.PositiveSpans, h.PositiveBuckets);
        for (var i = 0; i < pos.Length; i++)
        {
            var kept = h.UsesCustomBuckets
                ? CustomBucket(h, pos.Index[i], pos.Count[i], x, keepBelow)
                : ExponentialBucket(h, true, pos.Index[i], pos.Count[i], x, keepBelow);
            Account(kept, pos.Count[i]);
            pos.Count[i] = kept.Count;
        }

        var neg = IndexedBuckets.From(h.NegativeSpans, h.NegativeBuckets);
        for (var i = 0; i < neg.Length; i++)
        {
            var kept = ExponentialBucket(h, false, neg.Index[i], neg.Count[i], x, keepBelow);
            Account(kept, neg.Count[i]);
            neg.Count[i] = kept.Count;
        }

        if (!h.UsesCustomBuckets && h.ZeroCount != 0)
        {
            var kept = ZeroBucket(h, x, keepBelow);
            Account(kept, h.ZeroCount);
            result.ZeroCount = kept.Count;
        }

        if (!removed)
        {
            return result;
        }

        (result.PositiveSpans, result.PositiveBuckets) = pos.WithoutEmpty().ToSpans();
        (result.NegativeSpans, result.NegativeBuckets) = neg.WithoutEmpty().ToSpans();
        result.Count = count;
        result.Sum = sum;
        return result;
    }

    private static Kept ExponentialBucket(FloatHistogram h, bool positive, int index, double count, double x, bool keepBelow)
    {
        double lower, upper;
        if (positive)
        {
            lower = Math.Max(FloatHistogram.ExponentialBound(index - 1, h.Schema), h.ZeroThreshold);
            upper = FloatHistogram.ExponentialBound(index, h.Schema);
        }
        else
        {
            lower = -FloatHistogram.ExponentialBound(index, h.Schema);
            upper = Math.Min(-FloatHistogram.ExponentialBound(index - 1, h.Schema), -h.ZeroThreshold);
        }

        static double Midpoint(double a, double b) => a > 0 ? Math.Sqrt(a * b) : -Math.Sqrt(a * b);

        // The share of the bucket's observations below v, spread evenly on a logarithmic scale.
        double Below(double v)
        {
            var logLower = Math.Log2(Math.Abs(lower));
            var logUpper = Math.Log2(Math.Abs(upper));
            var logV = Math.Log2(Math.Abs(v));
            return v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper);
        }

        return Cut(count, lower, upper, x, keepBelow, Below, Midpoint);
    }

    /// <summary>The zero bucket: [0, t] when only positive buckets exist, [-t, 0] when only negative ones, else [-t, t].</summary>
    private static Kept ZeroBucket(FloatHistogram h, double x, bool keepBelow)
    {
        var lower = -h.ZeroThreshold;
        var upper = h.ZeroThreshold;
        if (h.NegativeBuckets.Count == 0 && h.PositiveBuckets.Count > 0)
        {
            lower = 0;
        }
        else if (h.PositiveBuckets.Count == 0 && h.NegativeBuckets.Count > 0)
        {
            upper = 0;
        }

        return Cut(h.ZeroCount, lower, upper, x, keepBelow, v => (v - lower) / (upper - lower), static (a, b) => (a + b) / 2);
    }

    private static Kept CustomBucket(FloatHistogram h, int index, double count, double x, bool keepBelow)
    {
        var lower = index == 0 ? double.NegativeInfinity : h.CustomValues[index - 1];
        var upper = index >= h.CustomValues.Count ? double.PositiveInfinity : h.CustomValues[index];
        if (keepBelow ? upper <= x : lower >= x)
        {
            return new Kept(count, Representative(lower, upper));
        }

        if (keepBelow ? lower >= x : upper <= x)
        {
            return new Kept(0, 0);
        }

        // The threshold is inside the bucket.
        if (double.IsNegativeInfinity(lower))
        {
            if (upper <= 0)
            {
                // Nothing to interpolate from: all of it is below x, none of it above.
                return keepBelow ? new Kept(count, x) : new Kept(0, 0);
            }

            // Observations assumed in [0, upper].
            if (x < 0 || (keepBelow && x == 0))
            {
                return new Kept(0, 0);
            }

            if (!keepBelow && x == 0)
            {
                return new Kept(count, upper / 2);
            }

            lower = 0;
        }

        if (double.IsPositiveInfinity(upper))
        {
            // Nothing to interpolate towards: none of it is below x; all of it is above x, unless the
            // bucket is the only one, (-Inf, +Inf], which cannot be placed at all.
            var onlyBucket = h.CustomValues.Count == 0;
            return keepBelow || onlyBucket ? new Kept(0, 0) : new Kept(count, x);
        }

        var below = (x - lower) / (upper - lower);
        return keepBelow ? new Kept(count * below, (lower + x) / 2) : new Kept(count * (1 - below), (x + upper) / 2);
    }

    /// <summary>Where a whole custom bucket's observations are taken to be (as histogram_quantile bounds them).</summary>
    private static double Representative(double lower, double upper)
    {
        if (double.IsNegativeInfinity(lower))
        {
            return upper <= 0 ? upper : upper / 2;
        }

        return double.IsPositiveInfinity(upper) ? lower : (lower + upper) / 2;
    }

    private static Kept Cut(double count, double lower, double upper, double x, bool keepBelow, Func<double, double> below, Func<double, double, double> midpoint)
    {
        if (keepBelow ? upper <= x : lower >= x)
        {
            return new Kept(count, midpoint(lower, upper));
        }

        if (keepBelow ? lower >= x : upper <= x)
        {
            return new Kept(0, 0);
        }

        var share = below(x);
        return keepBelow ? new Kept(count * share, midpoint(lower, x)) : new Kept(count * (1 - share), midpoint(x, upper));
    }
}
