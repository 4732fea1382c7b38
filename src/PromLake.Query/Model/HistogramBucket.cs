namespace PromLake.Query.Model;

/// <summary>One bucket of a native histogram with its boundaries (the zero bucket included).</summary>
public readonly record struct HistogramBucket(double Lower, double Upper, bool LowerInclusive, bool UpperInclusive, double Count, int Index);

public sealed partial class FloatHistogram
{
    /// <summary>
    /// For schema s &gt; 0, the mantissas (in [0.5, 1)) of the boundaries 2^(j/2^s), j = 0…2^s-1, so that the
    /// boundary of bucket i is mantissa[i mod 2^s] × 2^(i div 2^s + 1), as Prometheus's exponentialBounds.
    /// </summary>
    private static readonly double[][] BoundMantissas = BuildMantissas();

    private static double[][] BuildMantissas()
    {
        var tables = new double[9][];
        for (var schema = 0; schema <= 8; schema++)
        {
            var n = 1 << schema;
            var t = new double[n];
            for (var j = 0; j < n; j++)
            {
                t[j] = Math.Pow(2, (double)j / n) / 2;
            }

            tables[schema] = t;
        }

        return tables;
    }

    /// <summary>The upper boundary of exponential bucket <paramref name="index"/> (the lower one is that of index - 1).</summary>
    public static double ExponentialBound(int index, int schema)
    {
        if (schema < 0)
        {
            var exp = (long)index << -schema;
            if (exp == 1024)
            {
                // The last bucket before the overflow bucket.
                return double.MaxValue;
            }

            return Math.ScaleB(1, (int)Math.Clamp(exp, -2000, 2000));
        }

        var mantissa = BoundMantissas[schema][index & ((1 << schema) - 1)];
        var e = (index >> schema) + 1;
        if (mantissa == 0.5 && e == 1025)
        {
            return double.MaxValue;
        }

        return Math.ScaleB(mantissa, e);
    }

    /// <summary>The upper boundary of bucket <paramref name="index"/> (−1 gives the lower boundary of bucket 0).</summary>
    internal double UpperBound(int index, int schema) =>
        schema == CustomBucketsSchema ? CustomBound(index) : ExponentialBound(index, schema);

    private double CustomBound(int index)
    {
        if (index < 0)
        {
            return double.NegativeInfinity;
        }

        return index >= CustomValues.Count ? double.PositiveInfinity : CustomValues[index];
    }

    private HistogramBucket MakeBucket(bool positive, int index, double count, int schema)
    {
        double lower, upper;
        if (positive)
        {
            upper = UpperBound(index, schema);
            lower = UpperBound(index - 1, schema);
        }
        else
        {
            lower = -ExponentialBound(index, schema);
            upper = -ExponentialBound(index - 1, schema);
        }

        var custom = schema == CustomBucketsSchema;
        var lowerInclusive = custom ? double.IsNegativeInfinity(lower) : lower < 0;
        var upperInclusive = custom || upper > 0;
        return new HistogramBucket(lower, upper, lowerInclusive, upperInclusive, count, index);
    }

    /// <summary>
    /// One side's buckets merged into <paramref name="targetSchema"/> (≤ the histogram's schema), in ascending
    /// index order, leaving out leading exponential buckets whose upper boundary is ≤ <paramref name="absoluteStart"/>
    /// (Prometheus's floatBucketIterator).
    /// </summary>
    internal IndexedBuckets SideBuckets(bool positive, double absoluteStart, int targetSchema)
    {
        var raw = positive ? IndexedBuckets.From(PositiveSpans, PositiveBuckets) : IndexedBuckets.From(NegativeSpans, NegativeBuckets);
        if (!UsesCustomBuckets && targetSchema < Schema)
        {
            raw = raw.Reduce(Schema - targetSchema);
        }

        if (absoluteStart == 0 || UsesCustomBuckets)
        {
            return raw;
        }

        var first = 0;
        while (first < raw.Length && ExponentialBound(raw.Index[first], targetSchema) <= absoluteStart)
        {
            first++;
        }

        if (first == 0)
        {
            return raw;
        }

        var result = new IndexedBuckets(raw.Length - first);
        for (var i = first; i < raw.Length; i++)
        {
            result.Add(raw.Index[i], raw.Count[i]);
        }

        return result;
    }

    /// <summary>The positive buckets in ascending order, with their boundaries.</summary>
    public void PositiveBucketList(List<HistogramBucket> into)
    {
        var b = IndexedBuckets.From(PositiveSpans, PositiveBuckets);
        for (var i = 0; i < b.Length; i++)
        {
            into.Add(MakeBucket(true, b.Index[i], b.Count[i], Schema));
        }
    }

    /// <summary>The negative buckets from zero outwards (descending values), with their boundaries.</summary>
    public void NegativeBucketList(List<HistogramBucket> into)
    {
        var b = IndexedBuckets.From(NegativeSpans, NegativeBuckets);
        for (var i = 0; i < b.Length; i++)
        {
            into.Add(MakeBucket(false, b.Index[i], b.Count[i], Schema));
        }
    }

    public HistogramBucket ZeroBucket => new(-ZeroThreshold, ZeroThreshold, true, true, ZeroCount, 0);

    /// <summary>
    /// Every bucket from the lowest to the highest value (or the reverse): negative buckets, the zero bucket if
    /// it has a positive count, positive buckets. A bucket overlapping the zero bucket is cut at its threshold,
    /// as Prometheus's AllBucketIterator. <paramref name="includeEmpty"/> = false leaves out buckets with count 0.
    /// </summary>
    public void AllBuckets(List<HistogramBucket> into, bool reverse, bool includeEmpty = true)
    {
        var negative = new List<HistogramBucket>();
        NegativeBucketList(negative);
        var positive = new List<HistogramBucket>();
        PositiveBucketList(positive);
        var start = into.Count;
        for (var i = negative.Count - 1; i >= 0; i--)
        {
            AddClamped(into, negative[i], includeEmpty);
        }

        if (ZeroCount > 0)
        {
            into.Add(ZeroBucket);
        }

        foreach (var b in positive)
        {
            AddClamped(into, b, includeEmpty);
        }

        if (reverse)
        {
            into.Reverse(start, into.Count - start);
        }
    }

    private void AddClamped(List<HistogramBucket> into, HistogramBucket b, bool includeEmpty)
    {
        if (!includeEmpty && b.Count == 0)
        {
            return;
        }

        if (b.Upper < 0 && b.Upper > -ZeroThreshold)
        {
            b = b with { Upper = -ZeroThreshold };
        }
        else if (b.Lower > 0 && b.Lower < ZeroThreshold)
        {
            b = b with { Lower = ZeroThreshold };
        }

        into.Add(b);
    }
}
