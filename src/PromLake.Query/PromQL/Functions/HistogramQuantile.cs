using PromLake.Query.Model;

namespace PromLake.Query.PromQL.Functions;

/// <summary>A bucket of a classic histogram: the <c>le</c> bound and the cumulative count up to it.</summary>
internal record struct ClassicBucket(double UpperBound, double Count);

/// <summary>
/// The φ-quantile of a histogram: for classic histograms (buckets as series with an <c>le</c> label) by linear
/// interpolation inside a bucket; for native histograms by exponential interpolation inside exponential
/// buckets and linear interpolation inside custom buckets and the zero bucket (Prometheus's quantile.go).
/// </summary>
internal static class HistogramQuantile
{
    /// <summary>
    /// Relative differences between classic buckets up to this size are taken for floating-point noise and
    /// ignored rather than "fixed" for monotonicity (Prometheus's smallDeltaTolerance).
    /// </summary>
    private const double SmallDeltaTolerance = 1e-12;

    /// <summary>
    /// Prometheus's BucketQuantile: NaN without a +Inf bucket, with fewer than two buckets or no observations;
    /// a quantile in the +Inf bucket is the second highest bound; in the lowest bucket, interpolated from 0
    /// if its bound is positive, else the bound itself.
    /// </summary>
    public static double Classic(double q, List<ClassicBucket> buckets, out bool forcedMonotonic)
    {
        forcedMonotonic = false;
        if (double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        buckets = SortAndCoalesce(buckets);
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }

        forcedMonotonic = EnsureMonotonic(buckets);
        if (buckets.Count < 2)
        {
            return double.NaN;
        }

        var observations = buckets[^1].Count;
        if (observations == 0)
        {
            return double.NaN;
        }

        var rank = q * observations;
        var b = 0;
        while (b < buckets.Count - 1 && !(buckets[b].Count >= rank))
        {
            b++;
        }

        if (b == buckets.Count - 1)
        {
            return buckets[^2].UpperBound;
        }

        if (b == 0 && buckets[0].UpperBound <= 0)
        {
            return buckets[0].UpperBound;
        }

        double bucketStart = 0;
        var bucketEnd = buckets[b].UpperBound;
        var count = buckets[b].Count;
        if (b > 0)
        {
            bucketStart = buckets[b - 1].UpperBound;
            count -= buckets[b - 1].Count;
            rank -= buckets[b - 1].Count;
        }

        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }

    /// <summary>Sorted by bound, buckets with the same bound (le="1" and le="1.0") merged into one.</summary>
    internal static List<ClassicBucket> SortAndCoalesce(List<ClassicBucket> buckets)
    {
        buckets.Sort(static (a, b) => a.UpperBound.CompareTo(b.UpperBound));
        var merged = new List<ClassicBucket>(buckets.Count);
        foreach (var b in buckets)
        {
            if (merged.Count > 0 && merged[^1].UpperBound == b.UpperBound)
            {
                merged[^1] = merged[^1] with { Count = merged[^1].Count + b.Count };
            }
            else
            {
                merged.Add(b);
            }
        }

        return merged;
    }

    /// <summary>Removes decreases between cumulative bucket counts; true if one was more than floating-point noise.</summary>
    private static bool EnsureMonotonic(List<ClassicBucket> buckets)
    {
        var forced = false;
        var prev = buckets[0].Count;
        for (var i = 1; i < buckets.Count; i++)
        {
            var curr = buckets[i].Count;
            if (curr == prev)
            {
                continue;
            }

            if (Almost.Equal(prev, curr, SmallDeltaTolerance))
            {
                buckets[i] = buckets[i] with { Count = prev };
                continue;
            }

            if (curr < prev)
            {
                buckets[i] = buckets[i] with { Count = prev };
                forced = true;
                continue;
            }

            prev = curr;
        }

        return forced;
    }

    /// <summary>
    /// Prometheus's HistogramQuantile for a native histogram. NaN observations (a NaN sum with fewer bucket
    /// counts than the count) rank above everything: the result is then NaN or skewed, which is reported.
    /// </summary>
    public static double Native(double q, FloatHistogram h, string metricName, Engine.Annotations annos)
    {
        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        if (h.Count == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }

        // NaN observations count but sit in no bucket, so they force the forward direction; otherwise walk
        // from the nearer end.
        var forward = double.IsNaN(h.Sum) || q < 0.5;
        var buckets = new List<HistogramBucket>();
        h.AllBuckets(buckets, reverse: !forward);
        var rank = forward ? q * h.Count : (1 - q) * h.Count;
        double count = 0;
        var bucket = default(HistogramBucket);
        var at = 0;
        for (; at < buckets.Count; at++)
        {
            bucket = buckets[at];
            if (bucket.Count == 0)
            {
                continue;
            }

            count += bucket.Count;
            if (count >= rank)
            {
                break;
            }
        }

        var lower = bucket.Lower;
        var upper = bucket.Upper;
        if (!h.UsesCustomBuckets && lower < 0 && upper > 0)
        {
            if (h.NegativeBuckets.Count == 0 && h.PositiveBuckets.Count > 0)
            {
                // In the zero bucket with only positive buckets around: 0 is the natural lower bound.
                lower = 0;
            }
            else if (h.PositiveBuckets.Count == 0 && h.NegativeBuckets.Count > 0)
            {
                upper = 0;
            }
        }
        else if (h.UsesCustomBuckets)
        {
            if (double.IsNegativeInfinity(lower))
            {
                if (upper <= 0)
                {
                    return upper;
                }

                lower = 0;
            }
            else if (double.IsPositiveInfinity(upper))
            {
                return lower;
            }
        }

        count = Math.Min(count, h.Count);
        if (count < rank)
        {
            // Only NaN observations can leave the rank unreached.
            if (double.IsNaN(h.Sum))
            {
                annos.NativeHistogramQuantileNaNResult(metricName);
                return double.NaN;
            }

            return upper;
        }

        rank = forward ? rank - (count - bucket.Count) : count - rank;
        if (double.IsNaN(h.Sum))
        {
            for (at++; at < buckets.Count; at++)
            {
                count += buckets[at].Count;
            }

            // A NaN sum with all observations in buckets only means both infinities were observed.
            if (count < h.Count)
            {
                annos.NativeHistogramQuantileNaNSkew(metricName);
            }
        }

        var fraction = rank / bucket.Count;
        if (h.UsesCustomBuckets || (lower <= 0 && upper >= 0))
        {
            return lower + (upper - lower) * fraction;
        }

        // Exponential buckets are evenly spaced on a logarithmic scale: interpolate there.
        var logLower = Math.Log2(Math.Abs(lower));
        var logUpper = Math.Log2(Math.Abs(upper));
        if (lower > 0)
        {
            return Math.Pow(2, logLower + (logUpper - logLower) * fraction);
        }

        return -Math.Pow(2, logUpper + (logLower - logUpper) * (1 - fraction));
    }
}
