using PromLake.Query.Model;
using PromLake.Query.PromQL.Functions;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
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
            var value = s.H is null ? FloatFormat.Shortest(s.F) : s.H.ToString();
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
