using System.Globalization;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Functions;

/// <summary>
/// The histogram_* functions. Statistics (count, sum, avg, stddev, stdvar) read native histograms only;
/// histogram_quantile(s) and histogram_fraction also read classic histograms, whose buckets are the float
/// series that differ only in their <c>le</c> label.
/// </summary>
internal static class HistogramFunctions
{
    public static void Register(Dictionary<string, InstantFunction> d)
    {
        d["histogram_count"] = (args, env) => MapNative(args[0], static h => h.Count);
        d["histogram_sum"] = (args, env) => MapNative(args[0], static h => h.Sum);
        d["histogram_avg"] = (args, env) => MapNative(args[0], static h => h.Sum / h.Count);
        d["histogram_stddev"] = (args, env) => MapNative(args[0], static h => Math.Sqrt(Variance(h)));
        d["histogram_stdvar"] = (args, env) => MapNative(args[0], Variance);
        d["histogram_quantile"] = Quantile;
        d["histogram_quantiles"] = Quantiles;
        d["histogram_fraction"] = Fraction;
    }

    private static List<Sample> MapNative(List<Sample> vec, Func<FloatHistogram, double> f)
    {
        var outv = new List<Sample>(vec.Count);
        foreach (var s in vec)
        {
            if (s.H is { } h)
            {
                outv.Add(new Sample(s.Metric, s.T, f(h), null, true));
            }
        }

        return outv;
    }

    /// <summary>
    /// The variance of the observations, each bucket's observations taken at its midpoint: the geometric
    /// mean of the bounds for exponential buckets, the arithmetic one for custom buckets, 0 in the zero bucket.
    /// </summary>
    private static double Variance(FloatHistogram h)
    {
        var mean = h.Sum / h.Count;
        var buckets = new List<HistogramBucket>();
        h.AllBuckets(buckets, reverse: false);
        double variance = 0, c = 0;
        foreach (var b in buckets)
        {
            if (b.Count == 0)
            {
                continue;
            }

            double value;
            if (h.UsesCustomBuckets)
            {
                value = (b.Upper + b.Lower) / 2;
            }
            else if (b.Lower <= 0 && b.Upper >= 0)
            {
                value = 0;
            }
            else
            {
                value = Math.Sqrt(b.Upper * b.Lower);
                if (b.Upper < 0)
                {
                    value = -value;
                }
            }

            var delta = value - mean;
            (variance, c) = KahanSum.Inc(b.Count * delta * delta, variance, c);
        }

        return (variance + c) / h.Count;
    }

    /// <summary>The histograms of a vector: native ones as they are, classic ones assembled from their buckets.</summary>
    private sealed class HistogramSet
    {
        public List<Sample> Native { get; } = [];

        public Dictionary<Labels, List<ClassicBucket>> Classic { get; } = [];

        public List<Labels> ClassicOrder { get; } = [];
    }

    /// <summary>
    /// Splits <paramref name="vec"/> into native histograms and classic ones (grouped by all labels but
    /// <c>le</c>). A native histogram with the same labels as a classic one is a conflict: both are dropped.
    /// </summary>
    private static HistogramSet Collect(List<Sample> vec, FunctionEnv env)
    {
        var set = new HistogramSet();
        foreach (var s in vec)
        {
            if (s.H is not null)
            {
                set.Native.Add(s);
                continue;
            }

            var le = s.Metric.Get("le");
            if (!TryParseBound(le, out var upper))
            {
                env.Annotations.BadBucketLabel(s.Metric.MetricNameOrEmpty, le);
                continue;
            }

            var key = s.Metric.Without("le");
            if (!set.Classic.TryGetValue(key, out var buckets))
            {
                buckets = [];
                set.Classic[key] = buckets;
                set.ClassicOrder.Add(key);
            }

            buckets.Add(new ClassicBucket(upper, s.F));
        }

        for (var i = set.Native.Count - 1; i >= 0; i--)
        {
            var metric = set.Native[i].Metric;
            if (set.Classic.Remove(metric))
            {
                env.Annotations.MixedClassicNativeHistograms(metric.MetricNameOrEmpty);
                set.ClassicOrder.Remove(metric);
                set.Native.RemoveAt(i);
            }
        }

        return set;
    }

    private static void ValidateQuantile(double q, FunctionEnv env)
    {
        if (double.IsNaN(q) || q < 0 || q > 1)
        {
            env.Annotations.InvalidQuantile(q);
        }
    }

    private static List<Sample> Quantile(List<Sample>[] args, FunctionEnv env)
    {
        var q = args[0][0].F;
        ValidateQuantile(q, env);
        var set = Collect(args[1], env);
        var outv = new List<Sample>(set.Native.Count + set.Classic.Count);
        AddQuantiles(outv, set, q, null, env);
        return outv;
    }

    /// <summary>histogram_quantiles(v, "label", q1, q2, …): one output series per quantile, told apart by the label.</summary>
    private static List<Sample> Quantiles(List<Sample>[] args, FunctionEnv env)
    {
        var label = ((StringLiteral)AstWalker.Unwrap(env.Call.Args[1])).Value;
        var qs = new List<double>(args.Length - 2);
        for (var i = 2; i < args.Length; i++)
        {
            var q = args[i][0].F;
            ValidateQuantile(q, env);
            qs.Add(q);
        }

        var set = Collect(args[0], env);
        var outv = new List<Sample>();
        foreach (var q in qs)
        {
            AddQuantiles(outv, set, q, label, env);
        }

        return outv;
    }

    private static void AddQuantiles(List<Sample> outv, HistogramSet set, double q, string? label, FunctionEnv env)
    {
        var labelValue = label is null ? null : OpenMetricsFloat(q);
        Labels Output(Labels metric) => label is null ? metric : new LabelsBuilder(metric).Set(label, labelValue!).Build();
        foreach (var s in set.Native)
        {
            var value = HistogramQuantile.Native(q, s.H!, s.Metric.MetricNameOrEmpty, env.Annotations);
            outv.Add(new Sample(Output(s.Metric), env.Ts, value, null, true));
        }

        foreach (var key in set.ClassicOrder)
        {
            var value = HistogramQuantile.Classic(q, [.. set.Classic[key]], out var forcedMonotonic);
            if (forcedMonotonic)
            {
                env.Annotations.ForcedMonotonicity(key.MetricNameOrEmpty);
            }

            outv.Add(new Sample(Output(key), env.Ts, value, null, true));
        }
    }

    private static List<Sample> Fraction(List<Sample>[] args, FunctionEnv env)
    {
        var lower = args[0][0].F;
        var upper = args[1][0].F;
        var set = Collect(args[2], env);
        var outv = new List<Sample>(set.Native.Count + set.Classic.Count);
        foreach (var s in set.Native)
        {
            var value = HistogramFraction.Native(lower, upper, s.H!, s.Metric.MetricNameOrEmpty, env.Annotations);
            outv.Add(new Sample(s.Metric, env.Ts, value, null, true));
        }

        foreach (var key in set.ClassicOrder)
        {
            outv.Add(new Sample(key, env.Ts, HistogramFraction.Classic(lower, upper, set.Classic[key]), null, true));
        }

        return outv;
    }

    /// <summary>Go's strconv.ParseFloat for an <c>le</c> value (accepts +Inf, Inf, NaN, exponents).</summary>
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

    /// <summary>OpenMetrics' float text: "0.5", "1.0", "+Inf" (a number always shows a decimal point or exponent).</summary>
    internal static string OpenMetricsFloat(double f)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }

        if (double.IsInfinity(f))
        {
            return f > 0 ? "+Inf" : "-Inf";
        }

        var s = FloatFormat.Shortest(f);
        return s.IndexOfAny(['.', 'e', 'E']) < 0 ? s + ".0" : s;
    }
}
