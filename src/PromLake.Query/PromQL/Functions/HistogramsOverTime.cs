using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.PromQL.Functions;

/// <summary>sum_over_time and avg_over_time of windows that hold only native histograms.</summary>
internal static class HistogramsOverTime
{
    /// <summary>
    /// sum_over_time (or, <paramref name="average"/>, avg_over_time) of a window holding only histograms, as
    /// Prometheus: Kahan-compensated, the average switching to an incremental mean if the sum would overflow.
    /// </summary>
    public static FloatHistogram? Aggregate(ReadOnlySpan<HPoint> points, bool average, string metricName, Annotations annos)
    {
        var counterResetSeen = false;
        var notCounterResetSeen = false;
        var reconciled = false;
        void Track(FloatHistogram x)
        {
            counterResetSeen |= x.CounterResetHint == CounterResetHint.CounterReset;
            notCounterResetSeen |= x.CounterResetHint == CounterResetHint.NotCounterReset;
        }

        var sum = points[0].H.Copy();
        Track(sum);
        FloatHistogram? c = null;
        FloatHistogram? mean = null;
        double count = 1;
        for (var i = 1; i < points.Length; i++)
        {
            var next = points[i].H;
            Track(next);
            count = i + 1;
            HistogramCombination combination;
            if (!average)
            {
                combination = sum.KahanAdd(next, ref c);
            }
            else if (mean is null)
            {
                var sumCopy = sum.Copy();
                var cCopy = c?.Copy();
                combination = sumCopy.KahanAdd(next, ref cCopy);
                if (!combination.Incompatible && !sumCopy.HasOverflow())
                {
                    (sum, c) = (sumCopy, cCopy);
                    reconciled |= combination.CustomBoundsReconciled;
                    continue;
                }

                if (!combination.Incompatible)
                {
                    reconciled |= combination.CustomBoundsReconciled;
                    mean = sum.Copy().Div(count - 1);
                    c?.Div(count - 1);
                    combination = AddToMean(mean, next, count, ref c);
                }
            }
            else
            {
                combination = AddToMean(mean, next, count, ref c);
            }

            if (combination.Incompatible)
            {
                annos.MixedExponentialCustomHistograms(metricName);
                return null;
            }

            reconciled |= combination.CustomBoundsReconciled;
        }

        if (counterResetSeen && notCounterResetSeen)
        {
            annos.HistogramCounterResetCollision("aggregation");
        }

        if (reconciled)
        {
            annos.MismatchedCustomBuckets("aggregation");
        }

        if (mean is not null)
        {
            if (c is not null)
            {
                mean.Add(c);
            }

            return mean;
        }

        if (average)
        {
            sum.Div(count);
            c?.Div(count);
        }

        if (c is not null)
        {
            sum.Add(c);
        }

        return sum;
    }

    private static HistogramCombination AddToMean(FloatHistogram mean, FloatHistogram next, double count, ref FloatHistogram? c)
    {
        var q = (count - 1) / count;
        c?.Mul(q);
        return mean.Mul(q).KahanAdd(next.Copy().Div(count), ref c);
    }
}
