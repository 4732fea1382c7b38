namespace PromLake.Query.Model;

public sealed partial class FloatHistogram
{
    /// <summary>
    /// Widens whichever zero bucket is narrower until both histograms have the same threshold, never cutting
    /// through a populated bucket. This histogram is changed; the zero count <paramref name="other"/> would
    /// have at that threshold is returned.
    /// </summary>
    private double ReconcileZeroBuckets(FloatHistogram other)
    {
        var otherCount = other.ZeroCount;
        var otherThreshold = other.ZeroThreshold;
        while (otherThreshold != ZeroThreshold)
        {
            if (ZeroThreshold > otherThreshold)
            {
                (otherCount, otherThreshold) = other.ZeroCountForLargerThreshold(ZeroThreshold);
            }

            if (otherThreshold > ZeroThreshold)
            {
                (var count, var threshold) = ZeroCountForLargerThreshold(otherThreshold);
                ZeroCount = count;
                ZeroThreshold = threshold;
                TrimBucketsInZeroBucket();
            }
        }

        return otherCount;
    }

    /// <summary>
    /// The zero count this histogram would have with the larger threshold; a threshold falling inside a
    /// populated bucket moves up to that bucket's upper boundary (and is returned).
    /// </summary>
    internal (double Count, double Threshold) ZeroCountForLargerThreshold(double larger)
    {
        if (larger == ZeroThreshold)
        {
            return (ZeroCount, larger);
        }

        var positive = new List<HistogramBucket>();
        PositiveBucketList(positive);
        var negative = new List<HistogramBucket>();
        NegativeBucketList(negative);
        while (true)
        {
            var count = ZeroCount;
            foreach (var b in positive)
            {
                if (b.Lower >= larger)
                {
                    break;
                }

                count += b.Count;
                if (b.Upper > larger)
                {
                    if (b.Count != 0)
                    {
                        larger = b.Upper;
                    }

                    break;
                }
            }

            var restart = false;
            foreach (var b in negative)
            {
                if (b.Upper <= -larger)
                {
                    break;
                }

                count += b.Count;
                if (b.Lower < -larger)
                {
                    if (b.Count != 0)
                    {
                        // The positive side has to be looked at again with the larger threshold.
                        larger = -b.Lower;
                        restart = true;
                    }

                    break;
                }
            }

            if (!restart)
            {
                return (count, larger);
            }
        }
    }

    /// <summary>Drops the buckets now inside the zero bucket (their counts are already in the zero count).</summary>
    private void TrimBucketsInZeroBucket()
    {
        var pos = IndexedBuckets.From(PositiveSpans, PositiveBuckets);
        for (var i = 0; i < pos.Length && ExponentialBound(pos.Index[i] - 1, Schema) < ZeroThreshold; i++)
        {
            pos.Count[i] = 0;
        }

        var neg = IndexedBuckets.From(NegativeSpans, NegativeBuckets);
        for (var i = 0; i < neg.Length && -ExponentialBound(neg.Index[i] - 1, Schema) > -ZeroThreshold; i++)
        {
            neg.Count[i] = 0;
        }

        (PositiveSpans, PositiveBuckets) = pos.WithoutEmpty().ToSpans();
        (NegativeSpans, NegativeBuckets) = neg.WithoutEmpty().ToSpans();
    }

    /// <summary>Moves the counts of buckets inside ±<paramref name="threshold"/> into the zero bucket (used on a compensation histogram).</summary>
    private void FoldIntoZeroBucket(double threshold)
    {
        var pos = IndexedBuckets.From(PositiveSpans, PositiveBuckets);
        var neg = IndexedBuckets.From(NegativeSpans, NegativeBuckets);
        var keptPos = new IndexedBuckets(pos.Length);
        for (var i = 0; i < pos.Length; i++)
        {
            if (ExponentialBound(pos.Index[i], Schema) <= threshold)
            {
                ZeroCount += pos.Count[i];
            }
            else
            {
                keptPos.Add(pos.Index[i], pos.Count[i]);
            }
        }

        var keptNeg = new IndexedBuckets(neg.Length);
        for (var i = 0; i < neg.Length; i++)
        {
            if (ExponentialBound(neg.Index[i], Schema) <= threshold)
            {
                ZeroCount += neg.Count[i];
            }
            else
            {
                keptNeg.Add(neg.Index[i], neg.Count[i]);
            }
        }

        ZeroThreshold = threshold;
        (PositiveSpans, PositiveBuckets) = keptPos.ToSpans();
        (NegativeSpans, NegativeBuckets) = keptNeg.ToSpans();
    }
}
