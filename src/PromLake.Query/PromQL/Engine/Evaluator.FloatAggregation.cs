using PromLake.Query.PromQL.Functions;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
    /// <summary>
    /// <c>sum</c>, <c>count</c>, <c>min</c> and <c>max</c> when no input series holds a histogram:
    /// each step's values go straight into per-group accumulators (arrays indexed by group), with the
    /// same arithmetic in the same order as the general path (the first value of a group starts it,
    /// later ones are added with Kahan compensation), but without a per-step list of inputs or a
    /// group object per group and step. False when the general path has to do it.
    /// </summary>
    private bool TryAggregateFloats(AggregateExpr a, List<Series> input, int[] seriesToGroup, List<Series> result)
    {
        var op = a.Op switch
        {
            "sum" => FloatAggregation.Sum,
            "count" => FloatAggregation.Count,
            "min" => FloatAggregation.Min,
            "max" => FloatAggregation.Max,
            _ => FloatAggregation.None,
        };
        if (op == FloatAggregation.None)
        {
            return false;
        }

        foreach (var series in input)
        {
            if (series.Histograms.Count > 0)
            {
                return false;
            }
        }

        var groups = result.Count;
        var value = new double[groups];
        var compensation = new double[groups];
        var seen = new bool[groups];
        var dropName = new bool[groups];
        var cursors = new int[input.Count];
        for (var ts = _start; ts <= _end; ts += _interval)
        {
            _ct.ThrowIfCancellationRequested();
            Array.Clear(seen);
            for (var i = 0; i < input.Count; i++)
            {
                var floats = input[i].Floats;
                var cursor = cursors[i];
                if (cursor >= floats.Count || floats[cursor].T != ts)
                {
                    continue;
                }

                cursors[i] = cursor + 1;
                var f = floats[cursor].F;
                var g = seriesToGroup[i];
                if (!seen[g])
                {
                    seen[g] = true;
                    value[g] = op == FloatAggregation.Count ? 1 : f;
                    compensation[g] = 0;
                    dropName[g] = input[i].DropName;
                    continue;
                }

                dropName[g] |= input[i].DropName;
                switch (op)
                {
                    case FloatAggregation.Sum:
                        (value[g], compensation[g]) = KahanSum.Inc(f, value[g], compensation[g]);
                        break;
                    case FloatAggregation.Count:
                        value[g]++;
                        break;
                    case FloatAggregation.Max:
                        if (value[g] < f || double.IsNaN(value[g]))
                        {
                            value[g] = f;
                        }

                        break;
                    case FloatAggregation.Min:
                        if (value[g] > f || double.IsNaN(value[g]))
                        {
                            value[g] = f;
                        }

                        break;
                }
            }

            for (var g = 0; g < groups; g++)
            {
                if (seen[g])
                {
                    var output = result[g];
                    output.Floats.Add(new FPoint(ts, op == FloatAggregation.Sum ? value[g] + compensation[g] : value[g]));
                    output.DropName = dropName[g];
                }
            }
        }

        result.RemoveAll(static s => s.PointCount == 0);
        return true;
    }

    private enum FloatAggregation
    {
        None,
        Sum,
        Count,
        Min,
        Max,
    }
}
