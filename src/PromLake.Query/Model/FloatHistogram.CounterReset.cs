namespace PromLake.Query.Model;

public sealed partial class FloatHistogram
{
    /// <summary>
    /// True if this histogram, following <paramref name="previous"/> in a counter series, shows a counter reset
    /// (Prometheus's DetectReset): a hint of CounterReset or NotCounterReset decides; otherwise any count, the
    /// zero count or a bucket going down, a populated bucket disappearing, a higher resolution, a narrower zero
    /// bucket, or a zero bucket that would cut a populated bucket of the previous histogram. Gauge histograms are
    /// treated as counters here (callers warn about that).
    /// </summary>
    public bool DetectReset(FloatHistogram previous)
    {
        switch (CounterResetHint)
        {
            case CounterResetHint.CounterReset:
                return true;
            case CounterResetHint.NotCounterReset:
                return false;
        }

        if (Count < previous.Count)
        {
            return true;
        }

        if (UsesCustomBuckets)
        {
            if (!previous.UsesCustomBuckets)
            {
                return true;
            }

            if (!CustomBoundsMatch(CustomValues, previous.CustomValues))
            {
                return DetectResetWithMismatchedBounds(previous);
            }
        }

        if (Schema > previous.Schema || ZeroThreshold < previous.ZeroThreshold)
        {
            return true;
        }

        var (previousZeroCount, threshold) = previous.ZeroCountForLargerThreshold(ZeroThreshold);
        if (threshold != ZeroThreshold || ZeroCount < previousZeroCount)
        {
            return true;
        }

        return BucketWentDown(SideBuckets(true, ZeroThreshold, Schema), previous.SideBuckets(true, ZeroThreshold, Schema)) ||
               BucketWentDown(SideBuckets(false, ZeroThreshold, Schema), previous.SideBuckets(false, ZeroThreshold, Schema));
    }

    /// <summary>True if a populated bucket of <paramref name="previous"/> is missing or lower in <paramref name="current"/>.</summary>
    private static bool BucketWentDown(IndexedBuckets current, IndexedBuckets previous)
    {
        var c = 0;
        for (var p = 0; p < previous.Length; p++)
        {
            while (c < current.Length && current.Index[c] < previous.Index[p])
            {
                c++;
            }

            var present = c < current.Length && current.Index[c] == previous.Index[p];
            if (present ? current.Count[c] < previous.Count[p] : previous.Count[p] != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Custom buckets with different bounds: compare the counts between the bounds both layouts share.</summary>
    private bool DetectResetWithMismatchedBounds(FloatHistogram previous)
    {
        var bounds = IntersectBounds(CustomValues, previous.CustomValues);
        var current = new double[bounds.Count + 1];
        var before = new double[bounds.Count + 1];
        MapOntoBounds(IndexedBuckets.From(PositiveSpans, PositiveBuckets), CustomValues, bounds, current, 1);
        MapOntoBounds(IndexedBuckets.From(previous.PositiveSpans, previous.PositiveBuckets), previous.CustomValues, bounds, before, 1);
        for (var i = 0; i < current.Length; i++)
        {
            if (current[i] < before[i])
            {
                return true;
            }
        }

        return false;
    }
}
