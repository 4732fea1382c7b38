using PromLake.Query.Model;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>Adds <paramref name="h"/> into <paramref name="target"/> with Kahan compensation kept in the group.</summary>
    private void KahanAddHistogram(Group g, FloatHistogram target, FloatHistogram h, Labels metric)
    {
        var c = g.HistogramKahanC;
        var combination = target.KahanAdd(h, ref c);
        g.HistogramKahanC = c;
        if (combination.Incompatible)
        {
            _annos.MixedExponentialCustomHistograms(metric.MetricNameOrEmpty);
            g.IncompatibleHistograms = true;
            return;
        }

        if (combination.CustomBoundsReconciled)
        {
            _annos.MismatchedCustomBuckets("aggregation");
        }
    }

    /// <summary>
    /// avg of histograms as Prometheus: a Kahan-compensated sum divided at the end, switching to an incremental
    /// mean once the sum would overflow.
    /// </summary>
    private void AverageHistogram(Group g, FloatHistogram h, Labels metric)
    {
        if (!g.HistogramIncrementalMean)
        {
            var sum = g.Histogram!.Copy();
            var c = g.HistogramKahanC?.Copy();
            var combination = sum.KahanAdd(h, ref c);
            if (combination.Incompatible)
            {
                _annos.MixedExponentialCustomHistograms(metric.MetricNameOrEmpty);
                g.IncompatibleHistograms = true;
                return;
            }

            if (combination.CustomBoundsReconciled)
            {
                _annos.MismatchedCustomBuckets("aggregation");
            }

            if (!sum.HasOverflow())
            {
                g.Histogram = sum;
                g.HistogramKahanC = c;
                return;
            }

            g.HistogramIncrementalMean = true;
            g.HistogramMean = g.Histogram!.Copy().Div(g.Count - 1);
            g.HistogramKahanC?.Div(g.Count - 1);
        }

        var q = (g.Count - 1) / g.Count;
        g.HistogramKahanC?.Mul(q);
        var toAdd = h.Copy().Div(g.Count);
        g.HistogramMean!.Mul(q);
        KahanAddHistogram(g, g.HistogramMean, toAdd, metric);
    }

    private static FloatHistogram HistogramAverageResult(Group g)
    {
        FloatHistogram result;
        if (g.HistogramIncrementalMean)
        {
            result = g.HistogramMean!;
            if (g.HistogramKahanC is { } c)
            {
                result.Add(c);
            }
        }
        else
        {
            result = g.Histogram!.Div(g.Count);
            if (g.HistogramKahanC is { } c)
            {
                result.Add(c.Div(g.Count));
            }
        }

        return result.Compact();
    }
}
