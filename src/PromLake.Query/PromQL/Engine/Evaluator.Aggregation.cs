using PromLake.Query.Model;
using PromLake.Query.PromQL.Functions;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
    private List<Series> EvalAggregation(AggregateExpr a)
    {
        var grouping = new List<string>(a.Grouping);
        grouping.Sort(StringComparer.Ordinal);
        if (a.Op == "count_values")
        {
            var valueLabel = ((StringLiteral)AstWalker.Unwrap(a.Param!)).Value;
            if (!Labels.IsValidLabelName(valueLabel))
            {
                throw Error("invalid label name " + Labels.Quote(valueLabel));
            }

            if (!a.Without)
            {
                grouping.Add(valueLabel);
            }

            return RangeEval(step => CountValues(a, grouping, valueLabel, step.Vectors[0]), a.Inner);
        }

        var parameters = a.Param is null ? null : EvalScalarParam(a.Param);
        var input = EvalMatrix(a.Inner);

        // Map each input series to its group.
        var groupIndex = new Dictionary<Labels, int>();
        var seriesToGroup = new int[input.Count];
        var result = new List<Series>();
        var isK = a.Op is "topk" or "bottomk" or "limitk" or "limit_ratio";
        for (var i = 0; i < input.Count; i++)
        {
            var key = GroupingLabels(input[i].Metric, grouping, a.Without);
            if (!groupIndex.TryGetValue(key, out var gi))
            {
                gi = groupIndex.Count;
                groupIndex[key] = gi;
                if (!isK)
                {
                    result.Add(new Series(key));
                }
            }

            seriesToGroup[i] = gi;
        }

        if (parameters is not null)
        {
            double max = double.NegativeInfinity, min = double.PositiveInfinity;
            var anyNaN = false;
            foreach (var p in parameters)
            {
                if (double.IsNaN(p))
                {
                    anyNaN = true;
                    continue;
                }

                max = Math.Max(max, p);
                min = Math.Min(min, p);
            }

            switch (a.Op)
            {
                case "topk" or "bottomk" or "limitk":
                    if (max < 1 && !anyNaN)
                    {
                        return [];
                    }

                    if (anyNaN)
                    {
                        throw Error("Parameter value is NaN");
                    }

                    if (min <= -9223372036854775808d)
                    {
                        throw Error($"Scalar value {Annotations.G(min)} underflows int64");
                    }

                    if (max >= 9223372036854774784d)
                    {
                        throw Error($"Scalar value {Annotations.G(max)} overflows int64");
                    }

                    break;
                case "limit_ratio":
                    if (max == 0 && min == 0 && !anyNaN)
                    {
                        return [];
                    }

                    if (anyNaN)
                    {
                        throw Error("Ratio value is NaN");
                    }

                    if (max > 1)
                    {
                        _annos.InvalidRatio(max, 1);
                    }

                    if (min < -1)
                    {
                        _annos.InvalidRatio(min, -1);
                    }

                    break;
                case "quantile":
                    if (anyNaN)
                    {
                        _annos.InvalidQuantile(double.NaN);
                    }

                    if (max > 1)
                    {
                        _annos.InvalidQuantile(max);
                    }

                    if (min < 0)
                    {
                        _annos.InvalidQuantile(min);
                    }

                    break;
            }
        }

        var cursors = new int[input.Count];
        var hcursors = new int[input.Count];
        var kOutput = new Dictionary<Labels, Series>();
        var kOrder = new List<Series>();
        var stepIndex = 0;
        for (var ts = _start; ts <= _end; ts += _interval, stepIndex++)
        {
            _ct.ThrowIfCancellationRequested();
            var param = parameters?[stepIndex] ?? 0;

            // The input values at this step, per series (index) in input order.
            var present = new List<(int Index, double F, FloatHistogram? H)>();
            for (var i = 0; i < input.Count; i++)
            {
                var s = input[i];
                if (cursors[i] < s.Floats.Count && s.Floats[cursors[i]].T == ts)
                {
                    present.Add((i, s.Floats[cursors[i]].F, null));
                    cursors[i]++;
                }
                else if (hcursors[i] < s.Histograms.Count && s.Histograms[hcursors[i]].T == ts)
                {
                    present.Add((i, 0, s.Histograms[hcursors[i]].H));
                    hcursors[i]++;
                }
            }

            if (isK)
            {
                var picked = AggregateK(a, param, input, seriesToGroup, groupIndex.Count, present);
                if (IsInstant)
                {
                    var mat = new List<Series>();
                    foreach (var (idx, f, h) in picked)
                    {
                        var s = new Series(input[idx].Metric) { DropName = input[idx].DropName };
                        AddPoint(s, ts, new Sample(s.Metric, ts, f, h));
                        mat.Add(s);
                    }

                    return mat;
                }

                foreach (var (idx, f, h) in picked)
                {
                    var metric = input[idx].Metric;
                    if (!kOutput.TryGetValue(metric, out var s))
                    {
                        s = new Series(metric) { DropName = input[idx].DropName };
                        kOutput[metric] = s;
                        kOrder.Add(s);
                    }

                    AddPoint(s, ts, new Sample(metric, ts, f, h));
                }

                continue;
            }

            Aggregate(a, param, input, seriesToGroup, result, present, ts);
        }

        if (isK)
        {
            return kOrder;
        }

        result.RemoveAll(static s => s.PointCount == 0);
        return result;
    }

    private double[] EvalScalarParam(Expr param)
    {
        var mat = EvalMatrix(param);
        var values = new double[StepCount];
        Array.Fill(values, double.NaN);
        if (mat.Count > 0)
        {
            foreach (var p in mat[0].Floats)
            {
                values[(int)((p.T - _start) / _interval)] = p.F;
            }
        }

        return values;
    }

    /// <summary>The labels of the group a series belongs to: <c>by</c> keeps the listed labels, <c>without</c> drops them and the name.</summary>
    internal static Labels GroupingLabels(Labels metric, List<string> grouping, bool without)
    {
        if (without)
        {
            return metric.WithoutSet(grouping, alsoMetricName: true);
        }

        return grouping.Count == 0 ? Labels.Empty : metric.Keep(grouping);
    }

    private sealed class Group
    {
        public bool Seen;
        public double Value;
        public double Mean;
        public double KahanC;
        public double Count;
        public bool HasFloat;
        public bool HasHistogram;
        public bool IncrementalMean;
        public bool DropName;
        public FloatHistogram? Histogram;
        public List<double>? Values;
    }

    private void Aggregate(AggregateExpr a, double q, List<Series> input, int[] seriesToGroup, List<Series> result,
        List<(int Index, double F, FloatHistogram? H)> present, long ts)
    {
        var groups = new Group?[result.Count];
        var op = a.Op;
        foreach (var (si, f, h) in present)
        {
            var gi = seriesToGroup[si];
            var g = groups[gi];
            if (g is null || !g.Seen)
            {
                g = new Group { Seen = true, Value = f, Mean = f, Count = 1, DropName = input[si].DropName };
                groups[gi] = g;
                switch (op)
                {
                    case "sum" or "avg":
                        if (h is null)
                        {
                            g.HasFloat = true;
                        }
                        else
                        {
                            g.Histogram = h.Copy();
                            g.HasHistogram = true;
                        }

                        break;
                    case "stddev" or "stdvar":
                        if (h is not null)
                        {
                            g.Seen = false;
                            _annos.HistogramIgnoredInAggregation(op);
                        }
                        else
                        {
                            g.Value = double.IsNaN(f) || double.IsInfinity(f) ? double.NaN : 0;
                        }

                        break;
                    case "quantile":
                        if (h is not null)
                        {
                            g.Seen = false;
                            _annos.HistogramIgnoredInAggregation(op);
                        }

                        g.Values = [f];
                        break;
                    case "group":
                        g.Value = 1;
                        break;
                    case "min" or "max":
                        if (h is not null)
                        {
                            g.Seen = false;
                            _annos.HistogramIgnoredInAggregation(op);
                        }

                        break;
                }

                continue;
            }

            if (input[si].DropName)
            {
                g.DropName = true;
            }

            switch (op)
            {
                case "sum":
                    if (h is not null)
                    {
                        g.HasHistogram = true;
                        AddHistogram(g, h, input[si].Metric);
                    }
                    else
                    {
                        g.HasFloat = true;
                        (g.Value, g.KahanC) = KahanSum.Inc(f, g.Value, g.KahanC);
                    }

                    break;
                case "avg":
                    g.Count++;
                    if (h is not null)
                    {
                        g.HasHistogram = true;
                        AddHistogram(g, h, input[si].Metric);
                        break;
                    }

                    g.HasFloat = true;
                    if (!g.IncrementalMean)
                    {
                        var (nv, nc) = KahanSum.Inc(f, g.Value, g.KahanC);
                        if (!double.IsInfinity(nv))
                        {
                            (g.Value, g.KahanC) = (nv, nc);
                            break;
                        }

                        g.IncrementalMean = true;
                        g.Mean = g.Value / (g.Count - 1);
                        g.KahanC /= g.Count - 1;
                    }

                    var qq = (g.Count - 1) / g.Count;
                    (g.Mean, g.KahanC) = KahanSum.Inc(f / g.Count, qq * g.Mean, qq * g.KahanC);
                    break;
                case "group":
                    break;
                case "max":
                    if (h is not null)
                    {
                        _annos.HistogramIgnoredInAggregation(op);
                        break;
                    }

                    if (g.Value < f || double.IsNaN(g.Value))
                    {
                        g.Value = f;
                    }

                    break;
                case "min":
                    if (h is not null)
                    {
                        _annos.HistogramIgnoredInAggregation(op);
                        break;
                    }

                    if (g.Value > f || double.IsNaN(g.Value))
                    {
                        g.Value = f;
                    }

                    break;
                case "count":
                    g.Count++;
                    break;
                case "stddev" or "stdvar":
                    if (h is not null)
                    {
                        _annos.HistogramIgnoredInAggregation(op);
                        break;
                    }

                    g.Count++;
                    var delta = f - g.Mean;
                    g.Mean += delta / g.Count;
                    g.Value += delta * (f - g.Mean);
                    break;
                case "quantile":
                    if (h is not null)
                    {
                        _annos.HistogramIgnoredInAggregation(op);
                        break;
                    }

                    g.Values!.Add(f);
                    break;
            }
        }

        for (var gi = 0; gi < groups.Length; gi++)
        {
            var g = groups[gi];
            if (g is null || !g.Seen)
            {
                continue;
            }

            double value = g.Value;
            FloatHistogram? hv = null;
            switch (op)
            {
                case "avg":
                    if (g.HasFloat && g.HasHistogram)
                    {
                        _annos.MixedFloatsHistogramsAggregation();
                        continue;
                    }

                    if (g.HasHistogram)
                    {
                        if (g.Histogram is null)
                        {
                            continue;
                        }

                        hv = HistogramMath.Scale(g.Histogram, 1 / g.Count);
                        break;
                    }

                    value = g.IncrementalMean ? g.Mean + g.KahanC : g.Value / g.Count + g.KahanC / g.Count;
                    break;
                case "count":
                    value = g.Count;
                    break;
                case "stdvar":
                    value = g.Value / g.Count;
                    break;
                case "stddev":
                    value = Math.Sqrt(g.Value / g.Count);
                    break;
                case "quantile":
                    value = Quantiles.Quantile(q, g.Values!);
                    break;
                case "sum":
                    if (g.HasFloat && g.HasHistogram)
                    {
                        _annos.MixedFloatsHistogramsAggregation();
                        continue;
                    }

                    if (g.HasHistogram)
                    {
                        if (g.Histogram is null)
                        {
                            continue;
                        }

                        hv = g.Histogram;
                        break;
                    }

                    value = g.Value + g.KahanC;
                    break;
            }

            var series = result[gi];
            AddPoint(series, ts, new Sample(series.Metric, ts, value, hv));
            series.DropName = g.DropName;
        }
    }

    private void AddHistogram(Group g, FloatHistogram h, Labels metric)
    {
        if (g.Histogram is null)
        {
            return;
        }

        g.Histogram = HistogramMath.Add(g.Histogram, h);
        if (g.Histogram is null)
        {
            _annos.Warn($"vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"{metric.MetricNameOrEmpty}\"");
        }
    }

    /// <summary>topk, bottomk, limitk and limit_ratio at one step; returns the chosen (series, value) in output order.</summary>
    private List<(int Index, double F, FloatHistogram? H)> AggregateK(AggregateExpr a, double param, List<Series> input, int[] seriesToGroup,
        int groupCount, List<(int Index, double F, FloatHistogram? H)> present)
    {
        var picked = new List<(int, double, FloatHistogram?)>();
        if (present.Count == 0)
        {
            return picked;
        }

        long k = 0;
        double r = 0;
        if (a.Op is "topk" or "bottomk" or "limitk")
        {
            k = Math.Min((long)param, input.Count);
            if (k < 1)
            {
                return picked;
            }
        }
        else
        {
            if (param == 0)
            {
                return picked;
            }

            r = Math.Clamp(param, -1.0, 1.0);
        }

        var perGroup = new List<(int Index, double F, FloatHistogram? H)>?[groupCount];
        var groupOrder = new List<int>();
        foreach (var item in present)
        {
            var gi = seriesToGroup[item.Index];
            if (a.Op is "topk" or "bottomk" && item.H is not null)
            {
                _annos.HistogramIgnoredInAggregation(a.Op);
                continue;
            }

            if (perGroup[gi] is null)
            {
                perGroup[gi] = [];
                groupOrder.Add(gi);
            }

            switch (a.Op)
            {
                case "limitk":
                    if (perGroup[gi]!.Count < k)
                    {
                        perGroup[gi]!.Add(item);
                    }

                    break;
                case "limit_ratio":
                    if (RatioSampler.AddRatioSample(r, input[item.Index].Metric))
                    {
                        perGroup[gi]!.Add(item);
                    }

                    break;
                default:
                    perGroup[gi]!.Add(item);
                    break;
            }
        }

        foreach (var gi in groupOrder)
        {
            var list = perGroup[gi]!;
            if (a.Op is "topk" or "bottomk")
            {
                var desc = a.Op == "topk";
                var sorted = list.Select((x, i) => (x, i)).ToList();
                sorted.Sort((p, q) =>
                {
                    var c = CompareForK(p.x.F, q.x.F, desc);
                    return c != 0 ? c : p.i.CompareTo(q.i);
                });
                foreach (var (x, _) in sorted.Take((int)Math.Min(k, sorted.Count)))
                {
                    picked.Add(x);
                }
            }
            else
            {
                picked.AddRange(list);
            }
        }

        return picked;
    }

    /// <summary>Orders candidates best first; NaN is always worst (Prometheus's value heaps).</summary>
    private static int CompareForK(double x, double y, bool descending)
    {
        var xn = double.IsNaN(x);
        var yn = double.IsNaN(y);
        if (xn || yn)
        {
            return xn == yn ? 0 : xn ? 1 : -1;
        }

        return descending ? y.CompareTo(x) : x.CompareTo(y);
    }

    private static List<Sample> CountValues(AggregateExpr a, List<string> grouping, string valueLabel, List<Sample> vec)
    {
        var counts = new Dictionary<Labels, int>();
        var order = new List<Labels>();
        foreach (var s in vec)
        {
            var value = s.H is null ? FloatFormat.Shortest(s.F) : HistogramMath.Format(s.H);
            var metric = new LabelsBuilder(s.Metric).Set(valueLabel, value).Build();
            var key = GroupingLabels(metric, grouping, a.Without);
            if (counts.TryGetValue(key, out var c))
            {
                counts[key] = c + 1;
            }
            else
            {
                counts[key] = 1;
                order.Add(key);
            }
        }

        var outv = new List<Sample>(order.Count);
        foreach (var key in order)
        {
            outv.Add(new Sample(key, 0, counts[key]));
        }

        return outv;
    }
}

/// <summary>Prometheus's hash-based sampler for limit_ratio: a series is in if its label hash, scaled to [0, 1), is below the ratio.</summary>
internal static class RatioSampler
{
    public static bool AddRatioSample(double ratioLimit, Labels metric)
    {
        var offset = metric.StableHash() / (double)ulong.MaxValue;
        return (ratioLimit >= 0 && offset < ratioLimit) || (ratioLimit < 0 && offset >= 1.0 + ratioLimit);
    }
}
