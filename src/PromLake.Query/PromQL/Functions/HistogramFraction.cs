using PromLake.Query.Model;

namespace PromLake.Query.PromQL.Functions;

/// <summary>
/// The fraction of a histogram's observations between two values, interpolating inside buckets the same way
/// as <see cref="HistogramQuantile"/> (so that it is roughly its inverse). NaN for a histogram without
/// observations or a NaN bound; 0 when lower ≥ upper.
/// </summary>
internal static class HistogramFraction
{
    /// <summary>Prometheus's HistogramFraction for a native histogram. NaN observations belong to no fraction (reported).</summary>
    public static double Native(double lower, double upper, FloatHistogram h, string metricName, Engine.Annotations annos)
    {
        if (h.Count == 0 || double.IsNaN(lower) || double.IsNaN(upper))
        {
            return double.NaN;
        }

        if (lower >= upper)
        {
            return 0;
        }

        var buckets = new List<HistogramBucket>();
        h.AllBuckets(buckets, reverse: false);
        double count = 0, rank = 0, lowerRank = 0, upperRank = 0;
        bool lowerSet = false, upperSet = false;
        var at = 0;
        for (; at < buckets.Count; at++)
        {
            var b = buckets[at];
            count += b.Count;
            var bLower = b.Lower;
            var bUpper = b.Upper;
            var zeroBucket = false;
            if (bLower <= 0 && bUpper >= 0)
            {
                zeroBucket = true;
                if (h.NegativeBuckets.Count == 0 && h.PositiveBuckets.Count > 0)
                {
                    bLower = 0;
                }
                else if (h.PositiveBuckets.Count == 0 && h.NegativeBuckets.Count > 0)
                {
                    bUpper = 0;
                }
            }

            var linear = h.UsesCustomBuckets || zeroBucket;
            double Interpolate(double v)
            {
                if (linear)
                {
                    // An infinite lower bound cannot be interpolated from: the bucket contributes nothing.
                    return double.IsNegativeInfinity(bLower) ? b.Count : rank + b.Count * (v - bLower) / (bUpper - bLower);
                }

                var logLower = Math.Log2(Math.Abs(bLower));
                var logUpper = Math.Log2(Math.Abs(bUpper));
                var logV = Math.Log2(Math.Abs(v));
                var fraction = v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper);
                return rank + b.Count * fraction;
            }

            if (!lowerSet && bLower >= lower)
            {
                lowerRank = rank;
                lowerSet = true;
            }

            if (!upperSet && bLower >= upper)
            {
                upperRank = rank;
                upperSet = true;
            }

            if (lowerSet && upperSet)
            {
                break;
            }

            if (!lowerSet && bLower < lower && bUpper > lower)
            {
                lowerRank = Interpolate(lower);
                lowerSet = true;
            }

            if (!upperSet && bLower < upper && bUpper > upper)
            {
                upperRank = Interpolate(upper);
                upperSet = true;
            }

            if (lowerSet && upperSet)
            {
                break;
            }

            rank += b.Count;
        }

        if (double.IsNaN(h.Sum))
        {
            // Possibly NaN observations: only those in buckets can be in a fraction.
            for (at++; at < buckets.Count; at++)
            {
                count += buckets[at].Count;
            }

            if (count < h.Count)
            {
                annos.NativeHistogramFractionNaNs(metricName);
            }
        }
        else
        {
            count = h.Count;
        }

        if (!lowerSet || lowerRank > count)
        {
            lowerRank = count;
        }

        if (!upperSet || upperRank > count)
        {
            upperRank = count;
        }

        return (upperRank - lowerRank) / h.Count;
    }

    /// <summary>Prometheus's BucketFraction for a classic histogram: linear interpolation, 0 as the lower bound of positive-only buckets.</summary>
    public static double Classic(double lower, double upper, List<ClassicBucket> buckets)
    {
        buckets = HistogramQuantile.SortAndCoalesce(buckets);
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }

        var count = buckets[^1].Count;
        if (count == 0 || double.IsNaN(lower) || double.IsNaN(upper))
        {
            return double.NaN;
        }

        if (lower >= upper)
        {
            return 0;
        }

        double rank = 0, lowerRank = 0, upperRank = 0;
        bool lowerSet = false, upperSet = false;
        var lowerBound = buckets[0].UpperBound <= 0 ? double.NegativeInfinity : 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (i > 0)
            {
                lowerBound = buckets[i - 1].UpperBound;
            }

            var b = buckets[i];
            var upperBound = b.UpperBound;

            // Counts are cumulative: this bucket alone holds b.Count - rank.
            double Interpolate(double v) => double.IsNegativeInfinity(lowerBound)
                ? b.Count
                : rank + (b.Count - rank) * (v - lowerBound) / (upperBound - lowerBound);

            if (!lowerSet && lowerBound >= lower)
            {
                lowerRank = rank;
                lowerSet = true;
            }

            if (!upperSet && lowerBound >= upper)
            {
                upperRank = rank;
                upperSet = true;
            }

            if (lowerSet && upperSet)
            {
                break;
            }

            if (!lowerSet && lowerBound < lower && upperBound > lower)
            {
                lowerRank = Interpolate(lower);
                lowerSet = true;
            }

            if (!upperSet && lowerBound < upper && upperBound > upper)
            {
                upperRank = Interpolate(upper);
                upperSet = true;
            }

            if (lowerSet && upperSet)
            {
                break;
            }

            rank = b.Count;
        }

        if (!lowerSet || lowerRank > count)
        {
            lowerRank = count;
        }

        if (!upperSet || upperRank > count)
        {
            upperRank = count;
        }

        return (upperRank - lowerRank) / count;
    }
}
