using System.Globalization;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.PromQL.Functions;

/// <summary>
/// histogram_quantile over classic histograms: the series of one histogram are those that differ only
/// in their <c>le</c> label; the quantile is interpolated linearly inside the bucket it falls in.
/// </summary>
internal static class HistogramQuantile
{
    private const double SmallDeltaTolerance = 1e-12;

    private readonly record struct Bucket(double UpperBound, double Count);

    public static List<Sample> Evaluate(List<Sample>[] args, FunctionEnv env)
    {
        var q = args[0][0].F;
        if (double.IsNaN(q) || q < 0 || q > 1)
        {
            env.Annotations.InvalidQuantile(q);
        }

        var groups = new Dictionary<Labels, (Labels Metric, List<Bucket> Buckets)>();
        var order = new List<Labels>();
        foreach (var s in args[1])
        {
            if (s.H is not null)
            {
                continue;
            }

            var le = s.Metric.Get("le");
            if (!TryParseBound(le, out var upper))
            {
                env.Annotations.BadBucketLabel(s.Metric.MetricNameOrEmpty, le);
                continue;
            }

            var key = s.Metric.Without("le");
            if (!groups.TryGetValue(key, out var g))
            {
                g = (key, []);
                groups[key] = g;
                order.Add(key);
            }

            g.Buckets.Add(new Bucket(upper, s.F));
        }

        var outv = new List<Sample>(order.Count);
        foreach (var key in order)
        {
            var (metric, buckets) = groups[key];
            var value = BucketQuantile(q, buckets, out var forcedMonotonic);
            if (forcedMonotonic)
            {
                env.Annotations.ForcedMonotonicity(metric.MetricNameOrEmpty);
            }

            outv.Add(new Sample(metric, env.Ts, value, null, true));
        }

        return outv;
    }

    /// <summary>Go's strconv.ParseFloat for an <c>le</c> value (accepts +Inf, Inf, NaN, hex, exponents).</summary>
    private static bool TryParseBound(string s, out double v)
    {
        v = 0;
        if (s.Length == 0)
        {
            return false;
        }

        switch (s.ToLowerInvariant())
        {
            case "+inf" or "inf" or "+infinity" or "infinity":
                v = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity":
                v = double.NegativeInfinity;
                return true;
            case "nan" or "+nan" or "-nan":
                v = double.NaN;
                return true;
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
    }

    private static double BucketQuantile(double q, List<Bucket> buckets, out bool forcedMonotonic)
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

        buckets.Sort(static (a, b) => a.UpperBound.CompareTo(b.UpperBound));
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }

        // Buckets with the same upper bound (e.g. le="1" and le="1.0") are one bucket.
        var merged = new List<Bucket>(buckets.Count);
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

        buckets = merged;
        var prev = buckets[0].Count;
        for (var i = 1; i < buckets.Count; i++)
        {
            var curr = buckets[i].Count;
            if (curr == prev)
            {
                continue;
            }

            if (AlmostEqual(prev, curr, SmallDeltaTolerance))
            {
                buckets[i] = buckets[i] with { Count = prev };
                continue;
            }

            if (curr < prev)
            {
                buckets[i] = buckets[i] with { Count = prev };
                forcedMonotonic = true;
                continue;
            }

            prev = curr;
        }

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
        var idx = 0;
        while (idx < buckets.Count - 1 && !(buckets[idx].Count >= rank))
        {
            idx++;
        }

        if (idx == buckets.Count - 1)
        {
            return buckets[^2].UpperBound;
        }

        if (idx == 0 && buckets[0].UpperBound <= 0)
        {
            return buckets[0].UpperBound;
        }

        double bucketStart = 0;
        var bucketEnd = buckets[idx].UpperBound;
        var count = buckets[idx].Count;
        if (idx > 0)
        {
            bucketStart = buckets[idx - 1].UpperBound;
            count -= buckets[idx - 1].Count;
            rank -= buckets[idx - 1].Count;
        }

        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }

    /// <summary>Prometheus's almost.Equal: relative tolerance, NaN equals NaN.</summary>
    internal static bool AlmostEqual(double a, double b, double epsilon)
    {
        const double minNormal = 2.2250738585072014e-308;
        if (double.IsNaN(a) && double.IsNaN(b))
        {
            return true;
        }

        if (a == b)
        {
            return true;
        }

        var absSum = Math.Abs(a) + Math.Abs(b);
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < minNormal)
        {
            return diff < epsilon * minNormal;
        }

        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }
}
