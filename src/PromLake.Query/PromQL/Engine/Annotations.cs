using System.Globalization;

namespace PromLake.Query.PromQL.Engine;

public enum AnnotationKind
{
    Warning,
    Info,
}

/// <summary>A warning or info a query returns beside its result, worded as Prometheus's.</summary>
public sealed record Annotation(AnnotationKind Kind, string Message)
{
    public override string ToString() => Message;
}

/// <summary>Collects annotations without duplicates, in the order they were raised.</summary>
public sealed class Annotations
{
    private readonly List<Annotation> _items = [];
    private readonly HashSet<string> _seen = [];

    public IReadOnlyList<Annotation> Items => _items;

    public void Warn(string detail) => Add(new Annotation(AnnotationKind.Warning, "PromQL warning: " + detail));

    public void Info(string detail) => Add(new Annotation(AnnotationKind.Info, "PromQL info: " + detail));

    private void Add(Annotation a)
    {
        if (_seen.Add(a.Message))
        {
            _items.Add(a);
        }
    }

    /// <summary>Formats a float as Go's %g does for the values annotations quote.</summary>
    internal static string G(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(v))
        {
            return "+Inf";
        }

        return double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);
    }

    // The annotations of Prometheus's util/annotations package that this engine raises.
    public void PossibleNonCounter(string metricName) =>
        Info($"metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"{metricName}\"");

    public void InvalidQuantile(double q) => Warn($"quantile value should be between 0 and 1, got {G(q)}");

    public void InvalidRatio(double r, double to) => Warn($"ratio value should be between -1 and 1, got {G(r)}, capping to {G(to)}");

    public void BadBucketLabel(string metricName, string le) =>
        Warn(WithMetricName($"bucket label \"le\" is missing or has a malformed value of \"{le}\"", metricName));

    public void ForcedMonotonicity(string metricName) =>
        Info(WithMetricName("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)", metricName));

    public void HistogramIgnoredInAggregation(string op) => Info($"ignored histogram in {op} aggregation");

    public void MixedFloatsHistograms(string metricName) =>
        Warn($"encountered a mix of histograms and floats for metric name \"{metricName}\"");

    public void MixedFloatsHistogramsAggregation() => Warn("encountered a mix of histograms and floats for aggregation");

    public void SortIneffective() => Warn("sort is ineffective for range queries since results are always ordered by labels");

    public void HistogramIgnoredInMixedRange(string metricName) =>
        Info($"ignored histograms in a range containing both floats and histograms for metric name \"{metricName}\"");

    public void MixedClassicNativeHistograms(string metricName) =>
        Warn(WithMetricName("vector contains a mix of classic and native histograms", metricName));

    public void NativeHistogramNotCounter(string metricName) => Warn($"this native histogram metric is not a counter: \"{metricName}\"");

    public void NativeHistogramNotGauge(string metricName) => Warn($"this native histogram metric is not a gauge: \"{metricName}\"");

    public void MixedExponentialCustomHistograms(string metricName) =>
        Warn($"vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"{metricName}\"");

    public void IncompatibleTypesInBinOp(string lhsType, string op, string rhsType) =>
        Info($"incompatible sample types encountered for binary operator \"{op}\": {lhsType} {op} {rhsType}");

    public void NativeHistogramQuantileNaNResult(string metricName) =>
        Info(WithMetricName("input to histogram_quantile has NaN observations, result is NaN", metricName));

    public void NativeHistogramQuantileNaNSkew(string metricName) =>
        Info(WithMetricName("input to histogram_quantile has NaN observations, result is skewed higher", metricName));

    public void NativeHistogramFractionNaNs(string metricName) =>
        Info(WithMetricName("input to histogram_fraction has NaN observations, which are excluded from all fractions", metricName));

    /// <summary><paramref name="operation"/> is "addition", "subtraction" or "aggregation".</summary>
    public void HistogramCounterResetCollision(string operation) => Warn($"conflicting counter resets during histogram {operation}");

    /// <summary><paramref name="operation"/> is "addition", "subtraction" or "aggregation".</summary>
    public void MismatchedCustomBuckets(string operation) => Info($"mismatched custom buckets were reconciled during {operation}");

    private static string WithMetricName(string message, string metricName) =>
        metricName.Length == 0 ? message : $"{message} for metric name \"{metricName}\"";
}
