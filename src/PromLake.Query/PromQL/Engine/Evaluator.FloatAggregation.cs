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

        if ((long)StepCount * result.Count <= SeriesMajorCells)
        {
            return AggregateFloatsBySeries(op, input, seriesToGroup, result);
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
                Accumulate(op, f, ref value[g], ref compensation[g]);
            }

            AddStep(op, result, ts, value, compensation, seen, dropName, 0);
        }

        result.RemoveAll(static s => s.PointCount == 0);
        return true;
    }

    /// <summary>
    /// Most (step, group) cells the series-by-series walk keeps accumulators for: 4 M, about 72 MB.
    /// Settable so that tests can compare the two walks.
    /// </summary>
    internal static long SeriesMajorCells { get; set; } = 1 << 22;

    /// <summary>
    /// The same aggregation walking the input series by series, into accumulators per (step,
    /// group): each series' points are read in one pass, where the step-by-step walk touches every
    /// series' list at every step, far apart in memory. Each cell still receives its values in
    /// input order, so the arithmetic is the same. False (nothing written) if a point is not at a
    /// step, which the step-by-step walk handles as the general path does.
    /// </summary>
    private bool AggregateFloatsBySeries(FloatAggregation op, List<Series> input, int[] seriesToGroup, List<Series> result)
    {
        var groups = result.Count;
        var steps = StepCount;
        var value = new double[steps * groups];
        var compensation = new double[value.Length];
        var seen = new bool[value.Length];
        var dropName = new bool[value.Length];
        for (var i = 0; i < input.Count; i++)
        {
            if ((i & 1023) == 0)
            {
                _ct.ThrowIfCancellationRequested();
            }

            var g = seriesToGroup[i];
            var drop = input[i].DropName;
            foreach (var point in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(input[i].Floats))
            {
                var offset = point.T - _start;
                if (offset < 0 || offset % _interval != 0 || offset / _interval >= steps)
                {
                    return false;
                }

                var cell = (int)(offset / _interval) * groups + g;
                var f = point.F;
                if (!seen[cell])
                {
                    seen[cell] = true;
                    value[cell] = op == FloatAggregation.Count ? 1 : f;
                    dropName[cell] = drop;
                    continue;
                }

                dropName[cell] |= drop;
                Accumulate(op, f, ref value[cell], ref compensation[cell]);
            }
        }

        for (var step = 0; step < steps; step++)
        {
            AddStep(op, result, _start + step * _interval, value, compensation, seen, dropName, step * groups);
        }

        result.RemoveAll(static s => s.PointCount == 0);
        return true;
    }

    /// <summary>Appends each group's value at one step, from the accumulators of the step's groups starting at <paramref name="first"/>.</summary>
    private static void AddStep(FloatAggregation op, List<Series> result, long ts, double[] value, double[] compensation, bool[] seen, bool[] dropName, int first)
    {
        for (var g = 0; g < result.Count; g++)
        {
            var cell = first + g;
            if (seen[cell])
            {
                var output = result[g];
                output.Floats.Add(new FPoint(ts, op == FloatAggregation.Sum ? value[cell] + compensation[cell] : value[cell]));
                output.DropName = dropName[cell];
            }
        }
    }

    /// <summary>Adds a group's second or later value, as the general path does for these operators.</summary>
    private static void Accumulate(FloatAggregation op, double f, ref double value, ref double compensation)
    {
        switch (op)
        {
            case FloatAggregation.Sum:
                (value, compensation) = KahanSum.Inc(f, value, compensation);
                break;
            case FloatAggregation.Count:
                value++;
                break;
            case FloatAggregation.Max:
                if (value < f || double.IsNaN(value))
                {
                    value = f;
                }

                break;
            case FloatAggregation.Min:
                if (value > f || double.IsNaN(value))
                {
                    value = f;
                }

                break;
        }
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
