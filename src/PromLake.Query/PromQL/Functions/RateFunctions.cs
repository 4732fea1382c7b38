using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.PromQL.Functions;

/// <summary>rate, increase, delta, irate and idelta over float and native-histogram samples.</summary>
internal static class RateFunctions
{
    /// <summary>
    /// rate, increase and delta, as Prometheus's extrapolatedRate: the change between the first and last
    /// sample of the window (counter resets added back for counters), extrapolated towards the window's
    /// edges when the series seems to cover them (gap to the edge &lt; 1.1 × the average spacing),
    /// otherwise by half a spacing; a counter is not extrapolated below zero. A window needs at least two
    /// floats and no histograms, or at least two histograms and no floats.
    /// </summary>
    public static bool ExtrapolatedRate(in RangeWindow w, FunctionEnv env, bool isCounter, bool isRate, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        var floats = w.Floats;
        var hists = w.Histograms;
        if (hists.Length > 0 && floats.Length > 0)
        {
            env.Annotations.MixedFloatsHistograms(w.Metric.MetricNameOrEmpty);
            return false;
        }

        int numSamplesMinusOne;
        long firstT, lastT;
        double result = 0;
        if (hists.Length > 1)
        {
            numSamplesMinusOne = hists.Length - 1;
            firstT = hists[0].T;
            lastT = hists[^1].T;
            h = HistogramRate(hists, isCounter, w.Metric.MetricNameOrEmpty, env.Annotations);
            if (h is null)
            {
                return false;
            }
        }
        else if (floats.Length > 1)
        {
            numSamplesMinusOne = floats.Length - 1;
            firstT = floats[0].T;
            lastT = floats[^1].T;
            result = floats[^1].F - floats[0].F;
            if (isCounter)
            {
                for (var i = 1; i < floats.Length; i++)
                {
                    if (floats[i].F < floats[i - 1].F)
                    {
                        result += floats[i - 1].F;
                    }
                }
            }
        }
        else
        {
            return false;
        }

        var durationToStart = (firstT - w.MinT) / 1000.0;
        var durationToEnd = (w.MaxT - lastT) / 1000.0;
        var sampledInterval = (lastT - firstT) / 1000.0;
        var averageDurationBetweenSamples = sampledInterval / numSamplesMinusOne;
        var extrapolationThreshold = averageDurationBetweenSamples * 1.1;
        if (durationToStart >= extrapolationThreshold)
        {
            durationToStart = averageDurationBetweenSamples / 2;
        }

        if (isCounter)
        {
            // Counters cannot be negative: if extrapolating to the window's start would go below zero,
            // start where the counter would have been zero instead.
            var durationToZero = durationToStart;
            if (h is null && result > 0 && floats[0].F >= 0)
            {
                durationToZero = sampledInterval * (floats[0].F / result);
            }
            else if (h is not null && h.Count > 0 && hists[0].H.Count >= 0)
            {
                durationToZero = sampledInterval * (hists[0].H.Count / h.Count);
            }

            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }

        if (durationToEnd >= extrapolationThreshold)
        {
            durationToEnd = averageDurationBetweenSamples / 2;
        }

        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate)
        {
            factor /= w.Range / 1000.0;
        }

        if (h is not null)
        {
            h.Mul(factor);
        }
        else
        {
            value = result * factor;
        }

        return true;
    }

    /// <summary>
    /// The increase (or, for gauges, the change) from the first to the last histogram of a window, as
    /// Prometheus's histogramRate: in the lowest schema seen, adding back the histogram before each counter
    /// reset. A reset between the first two samples means the first is not looked at beyond its count.
    /// Null when the window mixes exponential and custom buckets.
    /// </summary>
    private static FloatHistogram? HistogramRate(ReadOnlySpan<HPoint> points, bool isCounter, string metricName, Annotations annos)
    {
        var prev = points[0].H;
        var last = points[^1].H;
        var usingCustomBuckets = prev.UsesCustomBuckets;
        if (isCounter && (prev.CounterResetHint == CounterResetHint.Gauge || last.CounterResetHint == CounterResetHint.Gauge))
        {
            annos.NativeHistogramNotCounter(metricName);
        }

        if (isCounter && points.Length > 1)
        {
            var second = points[1].H;
            if (second.DetectReset(prev))
            {
                // Whatever the layout of the first sample, only its count matters now.
                prev = new FloatHistogram { Schema = second.Schema, CustomValues = second.CustomValues };
                usingCustomBuckets = second.UsesCustomBuckets;
            }
        }

        if (last.UsesCustomBuckets != usingCustomBuckets)
        {
            annos.MixedExponentialCustomHistograms(metricName);
            return null;
        }

        var minSchema = Math.Min(last.Schema, prev.Schema);
        for (var i = 1; i < points.Length - 1; i++)
        {
            if (!isCounter)
            {
                continue;
            }

            var curr = points[i].H;
            if (curr.CounterResetHint == CounterResetHint.Gauge)
            {
                annos.NativeHistogramNotCounter(metricName);
            }

            minSchema = Math.Min(minSchema, curr.Schema);
            if (curr.UsesCustomBuckets != usingCustomBuckets)
            {
                annos.MixedExponentialCustomHistograms(metricName);
                return null;
            }
        }

        var h = last.CopyToSchema(minSchema);

        // Counter resets are handled explicitly here, so a collision of hints in Sub or Add means nothing.
        var combination = h.Sub(prev);
        if (combination.Incompatible)
        {
            annos.MixedExponentialCustomHistograms(metricName);
            return null;
        }

        if (combination.CustomBoundsReconciled)
        {
            annos.MismatchedCustomBuckets("subtraction");
        }

        if (isCounter)
        {
            for (var i = 1; i < points.Length; i++)
            {
                var curr = points[i].H;
                if (curr.DetectReset(prev))
                {
                    combination = h.Add(prev);
                    if (combination.Incompatible)
                    {
                        annos.MixedExponentialCustomHistograms(metricName);
                        return null;
                    }

                    if (combination.CustomBoundsReconciled)
                    {
                        annos.MismatchedCustomBuckets("addition");
                    }
                }

                prev = curr;
            }
        }
        else if (points[0].H.CounterResetHint != CounterResetHint.Gauge || points[^1].H.CounterResetHint != CounterResetHint.Gauge)
        {
            annos.NativeHistogramNotGauge(metricName);
        }

        h.CounterResetHint = CounterResetHint.Gauge;
        return h.Compact();
    }

    /// <summary>irate and idelta: the change between the last two samples of the window (float or histogram), per second for irate.</summary>
    public static bool InstantValue(in RangeWindow w, FunctionEnv env, bool isRate, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        if (w.Floats.Length + w.Histograms.Length < 2)
        {
            return false;
        }

        // The last two samples, whichever kind they are.
        var (first, second) = LastTwo(w);
        var sampledInterval = second.T - first.T;
        if (sampledInterval == 0)
        {
            return false;
        }

        var metricName = w.Metric.MetricNameOrEmpty;
        switch (first.H, second.H)
        {
            case (null, null):
                value = isRate && second.F < first.F ? second.F : second.F - first.F;
                break;
            case ({ } h0, { } h1):
                h = h1.Copy();
                if (isRate && (h1.CounterResetHint == CounterResetHint.Gauge || h0.CounterResetHint == CounterResetHint.Gauge))
                {
                    env.Annotations.NativeHistogramNotCounter(metricName);
                }

                if (!isRate && (h1.CounterResetHint != CounterResetHint.Gauge || h0.CounterResetHint != CounterResetHint.Gauge))
                {
                    env.Annotations.NativeHistogramNotGauge(metricName);
                }

                if (!isRate || !h1.DetectReset(h0))
                {
                    var combination = h.Sub(h0);
                    if (combination.Incompatible)
                    {
                        env.Annotations.MixedExponentialCustomHistograms(metricName);
                        h = null;
                        return false;
                    }

                    if (combination.CustomBoundsReconciled)
                    {
                        env.Annotations.MismatchedCustomBuckets("subtraction");
                    }
                }

                h.CounterResetHint = CounterResetHint.Gauge;
                h.Compact();
                break;
            default:
                env.Annotations.MixedFloatsHistograms(metricName);
                return false;
        }

        if (isRate)
        {
            if (h is null)
            {
                value /= sampledInterval / 1000.0;
            }
            else
            {
                h.Div(sampledInterval / 1000.0);
            }
        }

        return true;
    }

    private static ((long T, double F, FloatHistogram? H) First, (long T, double F, FloatHistogram? H) Second) LastTwo(in RangeWindow w)
    {
        var candidates = new List<(long T, double F, FloatHistogram? H)>(4);
        for (var i = Math.Max(0, w.Floats.Length - 2); i < w.Floats.Length; i++)
        {
            candidates.Add((w.Floats[i].T, w.Floats[i].F, null));
        }

        for (var i = Math.Max(0, w.Histograms.Length - 2); i < w.Histograms.Length; i++)
        {
            candidates.Add((w.Histograms[i].T, 0, w.Histograms[i].H));
        }

        candidates.Sort(static (a, b) => a.T.CompareTo(b.T));
        return (candidates[^2], candidates[^1]);
    }
}
