using PromLake.Query.Model;

namespace PromLake.Query.Http;

/// <summary>One bucket of a native histogram with its bounds, as Prometheus's histogram.Bucket.</summary>
internal readonly record struct BucketWithBounds(double Lower, double Upper, bool LowerInclusive, bool UpperInclusive, double Count);

/// <summary>
/// Prometheus's AllBucketIterator for float histograms: negative buckets from the lowest, the zero bucket
/// (when it has observations), then positive buckets, with bounds clipped to the zero bucket's threshold.
/// </summary>
internal static class HistogramBuckets
{
    private const int CustomBucketsSchema = -53;

    public static IEnumerable<BucketWithBounds> All(FloatHistogram h)
    {
        var negative = Absolute(h.NegativeSpans, h.NegativeBuckets);
        for (var i = negative.Count - 1; i >= 0; i--)
        {
            var (index, count) = negative[i];
            var b = At(h, index, count, positive: false);
            if (b.Upper < 0 && b.Upper > -h.ZeroThreshold)
            {
                b = b with { Upper = -h.ZeroThreshold };
            }
            else if (b.Lower > 0 && b.Lower < h.ZeroThreshold)
            {
                b = b with { Lower = h.ZeroThreshold };
            }

            yield return b;
        }

        if (h.ZeroCount > 0)
        {
            yield return new BucketWithBounds(-h.ZeroThreshold, h.ZeroThreshold, true, true, h.ZeroCount);
        }

        foreach (var (index, count) in Absolute(h.PositiveSpans, h.PositiveBuckets))
        {
            var b = At(h, index, count, positive: true);
            if (b.Lower > 0 && b.Lower < h.ZeroThreshold)
            {
                b = b with { Lower = h.ZeroThreshold };
            }
            else if (b.Upper < 0 && b.Upper > -h.ZeroThreshold)
            {
                b = b with { Upper = -h.ZeroThreshold };
            }

            yield return b;
        }
    }

    /// <summary>Bucket index and count of each populated bucket, in index order (float histogram buckets are absolute).</summary>
    private static List<(int Index, double Count)> Absolute(List<BucketSpan> spans, List<double> buckets)
    {
        var result = new List<(int, double)>(buckets.Count);
        var index = 0;
        var bi = 0;
        for (var s = 0; s < spans.Count; s++)
        {
            index += spans[s].Offset;
            for (var j = 0; j < spans[s].Length && bi < buckets.Count; j++, bi++, index++)
            {
                result.Add((index, buckets[bi]));
            }

            // The next span's offset counts from the bucket after this span's last.
        }

        return result;
    }

    /// <summary>baseBucketIterator.at: bounds and inclusiveness of bucket <paramref name="index"/>.</summary>
    private static BucketWithBounds At(FloatHistogram h, int index, double count, bool positive)
    {
        double lower, upper;
        if (positive)
        {
            upper = Bound(index, h.Schema, h.CustomValues);
            lower = Bound(index - 1, h.Schema, h.CustomValues);
        }
        else
        {
            lower = -Bound(index, h.Schema, h.CustomValues);
            upper = -Bound(index - 1, h.Schema, h.CustomValues);
        }

        bool lowerInclusive, upperInclusive;
        if (h.Schema == CustomBucketsSchema)
        {
            lowerInclusive = index == 0;
            upperInclusive = true;
        }
        else
        {
            lowerInclusive = lower < 0;
            upperInclusive = upper > 0;
        }

        return new BucketWithBounds(lower, upper, lowerInclusive, upperInclusive, count);
    }

    /// <summary>getBound: the upper bound of bucket <paramref name="index"/>.</summary>
    internal static double Bound(int index, int schema, List<double> customValues)
    {
        if (schema == CustomBucketsSchema)
        {
            if (index == customValues.Count)
            {
                return double.PositiveInfinity;
            }

            return index == -1 ? double.NegativeInfinity : customValues[index];
        }

        if (schema < 0)
        {
            var exp = (long)index << -schema;
            // The bucket below the ±Inf one ends at MaxFloat64, not at 2^1024 (which is +Inf).
            return exp == 1024 ? double.MaxValue : Math.ScaleB(1, (int)Math.Clamp(exp, -2000, 2000));
        }

        // bound = frac × 2^exp with frac in [0.5, 1) taken from the schema's table of 2^(j/2^schema) / 2.
        var fracIndex = index & ((1 << schema) - 1);
        var frac = 0.5 * Math.Pow(2, fracIndex / (double)(1 << schema));
        var exponent = (index >> schema) + 1;
        if (fracIndex == 0 && exponent == 1025)
        {
            return double.MaxValue;
        }

        return Math.ScaleB(frac, exponent);
    }
}
