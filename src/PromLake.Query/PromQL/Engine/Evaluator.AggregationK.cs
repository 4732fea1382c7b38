using PromLake.Query.Model;
using PromLake.Query.PromQL.Functions;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>topk, bottomk, limitk and limit_ratio at one step; returns the chosen (series, value) in output order.</summary>
    private List<(int Index, double F, FloatHistogram? H)> AggregateK(AggregateExpr a, double param, List<Series> input, int[] seriesToGroup,
        KGroups groups, List<(int Index, double F, FloatHistogram? H)> present)
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

        var perGroup = groups.Members;
        var groupOrder = groups.Order;
        groups.Clear();
        foreach (var item in present)
        {
            var gi = seriesToGroup[item.Index];
            if (a.Op is "topk" or "bottomk" && item.H is not null)
            {
                _annos.HistogramIgnoredInAggregation(a.Op);
                continue;
            }

            if (!groups.Seen[gi])
            {
                groups.Seen[gi] = true;
                (perGroup[gi] ??= []).Clear();
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
                AddBest(list, (int)Math.Min(k, list.Count), a.Op == "topk", picked);
            }
            else
            {
                picked.AddRange(list);
            }
        }

        return picked;
    }

    /// <summary>
    /// Appends the <paramref name="k"/> best of <paramref name="candidates"/> to <paramref name="output"/>, best
    /// first, equal values in input order: what a stable sort and taking the first k give. A small k keeps
    /// a sorted buffer of the best so far, so a step costs one comparison for most candidates, not a sort.
    /// </summary>
    private static void AddBest(List<(int Index, double F, FloatHistogram? H)> candidates, int k, bool descending,
        List<(int Index, double F, FloatHistogram? H)> output)
    {
        if (k <= 0)
        {
            return;
        }

        if (k > 64)
        {
            var sorted = new (int Index, double F, FloatHistogram? H, int Order)[candidates.Count];
            for (var i = 0; i < sorted.Length; i++)
            {
                var c = candidates[i];
                sorted[i] = (c.Index, c.F, c.H, i);
            }

            Array.Sort(sorted, (p, q) =>
            {
                var c = CompareForK(p.F, q.F, descending);
                return c != 0 ? c : p.Order.CompareTo(q.Order);
            });
            for (var i = 0; i < k; i++)
            {
                output.Add((sorted[i].Index, sorted[i].F, sorted[i].H));
            }

            return;
        }

        var best = new (int Index, double F, FloatHistogram? H)[k];
        var count = 0;
        foreach (var candidate in candidates)
        {
            // A later candidate equal to the worst kept one ranks after it: only strictly better ones enter.
            if (count == k && CompareForK(candidate.F, best[k - 1].F, descending) >= 0)
            {
                continue;
            }

            var at = count < k ? count++ : k - 1;
            while (at > 0 && CompareForK(candidate.F, best[at - 1].F, descending) < 0)
            {
                best[at] = best[at - 1];
                at--;
            }

            best[at] = candidate;
        }

        for (var i = 0; i < count; i++)
        {
            output.Add(best[i]);
        }
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

/// <summary>
/// The candidates of each group at one step of topk, bottomk, limitk or limit_ratio, kept from
/// step to step so that a step over many series does not allocate a list per group again.
/// </summary>
internal sealed class KGroups(int groupCount)
{
    public List<(int Index, double F, FloatHistogram? H)>?[] Members { get; } = new List<(int Index, double F, FloatHistogram? H)>?[groupCount];

    /// <summary>Whether the group has a candidate at this step (its list may hold an earlier step's).</summary>
    public bool[] Seen { get; } = new bool[groupCount];

    /// <summary>The groups with candidates at this step, in the order their first candidate came.</summary>
    public List<int> Order { get; } = [];

    public void Clear()
    {
        foreach (var group in Order)
        {
            Seen[group] = false;
        }

        Order.Clear();
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
