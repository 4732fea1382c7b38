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

        if (!isK && TryAggregateFloats(a, input, seriesToGroup, result))
        {
            return result;
        }

        var cursors = new int[input.Count];
        var hcursors = new int[input.Count];
        var present = new List<(int Index, double F, FloatHistogram? H)>(input.Count);
        var kGroups = isK ? new KGroups(groupIndex.Count) : null;
        var kOutput = new Dictionary<Labels, Series>();
        var kOrder = new List<Series>();
        var stepIndex = 0;
        for (var ts = _start; ts <= _end; ts += _interval, stepIndex++)
        {
            _ct.ThrowIfCancellationRequested();
            var param = parameters?[stepIndex] ?? 0;

            // The input values at this step, per series (index) in input order.
            present.Clear();
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
                var picked = AggregateK(a, param, input, seriesToGroup, kGroups!, present);
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
        public FloatHistogram? HistogramKahanC;
        public FloatHistogram? HistogramMean;
        public bool HistogramIncrementalMean;
        public bool IncompatibleHistograms;
        public bool CounterResetSeen;
        public bool NotCounterResetSeen;
        public List<double>? Values;

        public void TrackCounterReset(FloatHistogram h)
        {
            switch (h.CounterResetHint)
            {
                case CounterResetHint.CounterReset:
                    CounterResetSeen = true;
                    break;
                case CounterResetHint.NotCounterReset:
                    NotCounterResetSeen = true;
                    break;
            }
        }
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
                            g.TrackCounterReset(h);
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

            if (g.IncompatibleHistograms)
            {
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
                        if (g.Histogram is not null)
                        {
                            // A group that already holds floats is invalid anyway.
                            g.TrackCounterReset(h);
                            KahanAddHistogram(g, g.Histogram, h, input[si].Metric);
                        }
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
                        if (g.Histogram is not null)
                        {
                            g.TrackCounterReset(h);
                            AverageHistogram(g, h, input[si].Metric);
                        }

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

                    if (g.IncompatibleHistograms)
                    {
                        continue;
                    }

                    if (g.HasHistogram)
                    {
                        hv = HistogramAverageResult(g);
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

                    if (g.IncompatibleHistograms)
                    {
                        continue;
                    }

                    if (g.HasHistogram)
                    {
                        hv = g.Histogram!;
                        if (g.HistogramKahanC is { } c)
                        {
                            hv.Add(c);
                        }

                        break;
                    }

                    value = g.Value + g.KahanC;
                    break;
            }

            if (g.CounterResetSeen && g.NotCounterResetSeen)
            {
                _annos.HistogramCounterResetCollision("aggregation");
            }

            var series = result[gi];
            AddPoint(series, ts, new Sample(series.Metric, ts, value, hv));
            series.DropName = g.DropName;
        }
    }
}
