using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;

namespace PromLake.Query.PromQL.Functions;

/// <summary>The functions over range vectors: rate and friends, and the <c>*_over_time</c> family.</summary>
internal static class RangeFunctions
{
    public static readonly Dictionary<string, RangeFunction> All = new(StringComparer.Ordinal)
    {
        ["rate"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => RateFunctions.ExtrapolatedRate(w, env, true, true, out v, out h),
        ["increase"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => RateFunctions.ExtrapolatedRate(w, env, true, false, out v, out h),
        ["delta"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => RateFunctions.ExtrapolatedRate(w, env, false, false, out v, out h),
        ["irate"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => RateFunctions.InstantValue(w, env, true, out v, out h),
        ["idelta"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => RateFunctions.InstantValue(w, env, false, out v, out h),
        ["deriv"] = Deriv,
        ["predict_linear"] = PredictLinear,
        ["changes"] = Changes,
        ["resets"] = Resets,
        ["avg_over_time"] = AvgOverTime,
        ["sum_over_time"] = SumOverTime,
        ["min_over_time"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => MinMax(w, env, false, "min_over_time", out v, out h),
        ["max_over_time"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => MinMax(w, env, true, "max_over_time", out v, out h),
        ["count_over_time"] = CountOverTime,
        ["last_over_time"] = LastOverTime,
        ["first_over_time"] = FirstOverTime,
        ["present_over_time"] = PresentOverTime,
        ["stddev_over_time"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => StdOverTime(w, env, true, out v, out h),
        ["stdvar_over_time"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => StdOverTime(w, env, false, out v, out h),
        ["quantile_over_time"] = QuantileOverTime,
        ["mad_over_time"] = MadOverTime,
        ["ts_of_min_over_time"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => TsOfExtreme(w, env, false, out v, out h),
        ["ts_of_max_over_time"] = (in RangeWindow w, ReadOnlySpan<double> _, FunctionEnv env, out double v, out FloatHistogram? h) => TsOfExtreme(w, env, true, out v, out h),
        ["ts_of_last_over_time"] = TsOfLastOverTime,
        ["ts_of_first_over_time"] = TsOfFirstOverTime,
        ["double_exponential_smoothing"] = DoubleExponentialSmoothing,
        ["holt_winters"] = DoubleExponentialSmoothing,
    };

    /// <summary>Least-squares fit with the intercept at <paramref name="interceptTime"/> (Kahan-summed, as Prometheus).</summary>
    internal static (double Slope, double Intercept) LinearRegression(ReadOnlySpan<FPoint> samples, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        var initY = samples[0].F;
        var constY = true;
        for (var i = 0; i < samples.Length; i++)
        {
            var s = samples[i];
            if (constY && i > 0 && s.F != initY)
            {
                constY = false;
            }

            n += 1;
            var x = (s.T - interceptTime) / 1e3;
            (sumX, cX) = KahanSum.Inc(x, sumX, cX);
            (sumY, cY) = KahanSum.Inc(s.F, sumY, cY);
            (sumXY, cXY) = KahanSum.Inc(x * s.F, sumXY, cXY);
            (sumX2, cX2) = KahanSum.Inc(x * x, sumX2, cX2);
        }

        if (constY)
        {
            return double.IsInfinity(initY) ? (double.NaN, double.NaN) : (0, initY);
        }

        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        var covXY = sumXY - sumX * sumY / n;
        var varX = sumX2 - sumX * sumX / n;
        var slope = covXY / varX;
        var intercept = sumY / n - slope * sumX / n;
        return (slope, intercept);
    }

    private static bool FloatsOnly(in RangeWindow w, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        if (w.Histograms.Length > 0)
        {
            if (w.Floats.Length > 0)
            {
                env.Annotations.MixedFloatsHistograms(w.Metric.MetricNameOrEmpty);
            }

            return false;
        }

        return w.Floats.Length > 0;
    }

    /// <summary>For functions that use only the floats of a window: histograms beside floats are ignored with an info.</summary>
    private static bool EnoughFloats(in RangeWindow w, FunctionEnv env, int needed, string name, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        if (w.Floats.Length > 0 && w.Histograms.Length > 0)
        {
            env.Annotations.HistogramIgnoredInMixedRange(w.Metric.MetricNameOrEmpty);
        }

        return w.Floats.Length >= needed;
    }

    private static bool Deriv(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        if (!EnoughFloats(w, env, 2, "deriv", out value, out h))
        {
            return false;
        }

        value = LinearRegression(w.Floats, w.Floats[0].T).Slope;
        return true;
    }

    private static bool PredictLinear(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        if (!EnoughFloats(w, env, 2, "predict_linear", out value, out h))
        {
            return false;
        }

        var (slope, intercept) = LinearRegression(w.Floats, env.Ts);
        value = slope * args[0] + intercept;
        return true;
    }

    private static bool Changes(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h) =>
        CountTransitions(w, static (prev, cur) => cur.H switch
        {
            null when prev.H is null => !(cur.F == prev.F || (double.IsNaN(cur.F) && double.IsNaN(prev.F))),
            { } hc when prev.H is { } hp => !hc.DataEquals(hp),
            _ => true,
        }, out value, out h);

    private static bool Resets(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h) =>
        CountTransitions(w, static (prev, cur) => cur.H switch
        {
            null when prev.H is null => cur.F < prev.F,
            { } hc when prev.H is { } hp => hc.DetectReset(hp),
            _ => true,
        }, out value, out h);

    /// <summary>
    /// Counts the consecutive pairs of samples (floats and histograms in time order) for which
    /// <paramref name="counts"/> holds; a switch between a float and a histogram always counts.
    /// </summary>
    private static bool CountTransitions(in RangeWindow w, Func<(double F, FloatHistogram? H), (double F, FloatHistogram? H), bool> counts,
        out double value, out FloatHistogram? h)
    {
        h = null;
        value = 0;
        var floats = w.Floats;
        var hists = w.Histograms;
        if (floats.Length == 0 && hists.Length == 0)
        {
            return false;
        }

        var n = 0;
        (double F, FloatHistogram? H) prev = default;
        for (int fi = 0, hi = 0, seen = 0; fi < floats.Length || hi < hists.Length; seen++)
        {
            (double F, FloatHistogram? H) cur;
            if (hi >= hists.Length || (fi < floats.Length && floats[fi].T < hists[hi].T))
            {
                cur = (floats[fi++].F, null);
            }
            else
            {
                cur = (0, hists[hi++].H);
            }

            if (seen > 0 && counts(prev, cur))
            {
                n++;
            }

            prev = cur;
        }

        value = n;
        return true;
    }

    private static bool AvgOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        if (w.Floats.Length == 0 && w.Histograms.Length > 0)
        {
            value = 0;
            h = HistogramsOverTime.Aggregate(w.Histograms, average: true, w.Metric.MetricNameOrEmpty, env.Annotations);
            return h is not null;
        }

        if (!FloatsOnly(w, env, out value, out h))
        {
            return false;
        }

        var f = w.Floats;
        double sum = f[0].F, count = 1, mean = 0, kahanC = 0;
        var incremental = false;
        for (var i = 1; i < f.Length; i++)
        {
            count = i + 1;
            if (!incremental)
            {
                var (ns, nc) = KahanSum.Inc(f[i].F, sum, kahanC);
                if (!double.IsInfinity(ns))
                {
                    (sum, kahanC) = (ns, nc);
                    continue;
                }

                incremental = true;
                mean = sum / (count - 1);
                kahanC /= count - 1;
            }

            var q = (count - 1) / count;
            (mean, kahanC) = KahanSum.Inc(f[i].F / count, q * mean, q * kahanC);
        }

        value = incremental ? mean + kahanC : sum / count + kahanC / count;
        return true;
    }

    private static bool SumOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        if (w.Floats.Length == 0 && w.Histograms.Length > 0)
        {
            value = 0;
            h = HistogramsOverTime.Aggregate(w.Histograms, average: false, w.Metric.MetricNameOrEmpty, env.Annotations);
            return h is not null;
        }

        if (!FloatsOnly(w, env, out value, out h))
        {
            return false;
        }

        double sum = 0, c = 0;
        foreach (var p in w.Floats)
        {
            (sum, c) = KahanSum.Inc(p.F, sum, c);
        }

        value = double.IsInfinity(sum) ? sum : sum + c;
        return true;
    }

    private static bool MinMax(in RangeWindow w, FunctionEnv env, bool max, string name, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        if (w.Floats.Length == 0)
        {
            return false;
        }

        if (w.Histograms.Length > 0)
        {
            env.Annotations.HistogramIgnoredInMixedRange(w.Metric.MetricNameOrEmpty);
        }

        value = w.Floats[0].F;
        foreach (var p in w.Floats)
        {
            if (max ? (p.F > value || double.IsNaN(value)) : (p.F < value || double.IsNaN(value)))
            {
                value = p.F;
            }
        }

        return true;
    }

    private static bool CountOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        h = null;
        value = w.Floats.Length + w.Histograms.Length;
        return value > 0;
    }

    private static bool LastOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        var lf = w.Floats.Length > 0 ? w.Floats[^1].T : long.MinValue;
        var lh = w.Histograms.Length > 0 ? w.Histograms[^1].T : long.MinValue;
        if (lf == long.MinValue && lh == long.MinValue)
        {
            return false;
        }

        if (lh > lf)
        {
            h = w.Histograms[^1].H;
        }
        else
        {
            value = w.Floats[^1].F;
        }

        return true;
    }

    private static bool FirstOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        var ff = w.Floats.Length > 0 ? w.Floats[0].T : long.MaxValue;
        var fh = w.Histograms.Length > 0 ? w.Histograms[0].T : long.MaxValue;
        if (ff == long.MaxValue && fh == long.MaxValue)
        {
            return false;
        }

        if (fh < ff)
        {
            h = w.Histograms[0].H;
        }
        else
        {
            value = w.Floats[0].F;
        }

        return true;
    }

    private static bool TsOfLastOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        h = null;
        var lf = w.Floats.Length > 0 ? w.Floats[^1].T : long.MinValue;
        var lh = w.Histograms.Length > 0 ? w.Histograms[^1].T : long.MinValue;
        value = Math.Max(lf, lh) / 1000.0;
        return lf != long.MinValue || lh != long.MinValue;
    }

    private static bool TsOfFirstOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        h = null;
        var ff = w.Floats.Length > 0 ? w.Floats[0].T : long.MaxValue;
        var fh = w.Histograms.Length > 0 ? w.Histograms[0].T : long.MaxValue;
        value = Math.Min(ff, fh) / 1000.0;
        return ff != long.MaxValue || fh != long.MaxValue;
    }

    private static bool TsOfExtreme(in RangeWindow w, FunctionEnv env, bool max, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        if (w.Floats.Length == 0)
        {
            return false;
        }

        var best = w.Floats[0].F;
        var bestT = w.Floats[0].T;
        foreach (var p in w.Floats)
        {
            // Later samples win ties, and any number beats NaN.
            if (max ? (p.F >= best || double.IsNaN(best)) : (p.F <= best || double.IsNaN(best)))
            {
                if (!double.IsNaN(p.F) || double.IsNaN(best))
                {
                    best = p.F;
                    bestT = p.T;
                }
            }
        }

        value = bestT / 1000.0;
        return true;
    }

    private static bool PresentOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        h = null;
        value = 1;
        return w.Floats.Length + w.Histograms.Length > 0;
    }

    private static bool StdOverTime(in RangeWindow w, FunctionEnv env, bool stddev, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        if (w.Floats.Length == 0)
        {
            return false;
        }

        if (w.Histograms.Length > 0)
        {
            env.Annotations.HistogramIgnoredInMixedRange(w.Metric.MetricNameOrEmpty);
        }

        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
        foreach (var p in w.Floats)
        {
            count++;
            var delta = p.F - (mean + cMean);
            (mean, cMean) = KahanSum.Inc(delta / count, mean, cMean);
            (aux, cAux) = KahanSum.Inc(delta * (p.F - (mean + cMean)), aux, cAux);
        }

        var variance = (aux + cAux) / count;
        value = stddev ? Math.Sqrt(variance) : variance;
        return true;
    }

    private static bool QuantileOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        var q = args[0];
        if (double.IsNaN(q) || q < 0 || q > 1)
        {
            env.Annotations.InvalidQuantile(q);
        }

        if (w.Floats.Length == 0)
        {
            return false;
        }

        if (w.Histograms.Length > 0)
        {
            env.Annotations.HistogramIgnoredInMixedRange(w.Metric.MetricNameOrEmpty);
        }

        var values = new List<double>(w.Floats.Length);
        foreach (var p in w.Floats)
        {
            values.Add(p.F);
        }

        value = Quantiles.Quantile(q, values);
        return true;
    }

    private static bool MadOverTime(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        if (w.Floats.Length == 0)
        {
            return false;
        }

        if (w.Histograms.Length > 0)
        {
            env.Annotations.HistogramIgnoredInMixedRange(w.Metric.MetricNameOrEmpty);
        }

        var values = new List<double>(w.Floats.Length);
        foreach (var p in w.Floats)
        {
            values.Add(p.F);
        }

        // A NaN sample makes the deviation NaN rather than being sorted away.
        if (values.Exists(double.IsNaN))
        {
            value = double.NaN;
            return true;
        }

        var median = Quantiles.Quantile(0.5, values);
        var deviations = new List<double>(values.Count);
        foreach (var v in values)
        {
            deviations.Add(Math.Abs(v - median));
        }

        value = Quantiles.Quantile(0.5, deviations);
        return true;
    }

    private static bool DoubleExponentialSmoothing(in RangeWindow w, ReadOnlySpan<double> args, FunctionEnv env, out double value, out FloatHistogram? h)
    {
        value = 0;
        h = null;
        var sf = args[0];
        var tf = args[1];
        if (sf <= 0 || sf >= 1)
        {
            throw new PromQLException($"invalid smoothing factor. Expected: 0 < sf < 1, got: {sf.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (tf <= 0 || tf >= 1)
        {
            throw new PromQLException($"invalid trend factor. Expected: 0 < tf < 1, got: {tf.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (!EnoughFloats(w, env, 2, "double_exponential_smoothing", out _, out _))
        {
            return false;
        }

        var f = w.Floats;

        double s0 = 0, s1 = f[0].F, b = f[1].F - f[0].F;
        for (var i = 1; i < f.Length; i++)
        {
            var x = sf * f[i].F;
            if (i > 1)
            {
                b = tf * (s1 - s0) + (1 - tf) * b;
            }

            var y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }

        value = s1;
        return true;
    }
}
