using System.Globalization;
using System.Text;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Engine;

/// <summary>
/// Arithmetic on native histograms: scaling, addition and subtraction (bringing both to the coarser
/// schema), equality, and Prometheus's text form. Zero-threshold reconciliation and custom-bucket
/// reconciliation are not done yet: such pairs are reported as incompatible.
/// </summary>
internal static class HistogramMath
{
    public const int CustomBucketsSchema = -53;

    public static FloatHistogram Scale(FloatHistogram h, double factor)
    {
        var c = h.Copy();
        c.Count *= factor;
        c.Sum *= factor;
        c.ZeroCount *= factor;
        for (var i = 0; i < c.PositiveBuckets.Count; i++)
        {
            c.PositiveBuckets[i] *= factor;
        }

        for (var i = 0; i < c.NegativeBuckets.Count; i++)
        {
            c.NegativeBuckets[i] *= factor;
        }

        return c;
    }

    /// <summary>a + sign·b, or null when the two cannot be combined (custom against exponential buckets, other bounds).</summary>
    public static FloatHistogram? Add(FloatHistogram a, FloatHistogram b, double sign = 1)
    {
        if (a.UsesCustomBuckets != b.UsesCustomBuckets)
        {
            return null;
        }

        if (a.UsesCustomBuckets && !a.CustomValues.SequenceEqual(b.CustomValues))
        {
            return null;
        }

        var schema = Math.Min(a.Schema, b.Schema);
        var pos = ToAbsolute(a.PositiveSpans, a.PositiveBuckets, a.Schema - schema);
        var neg = ToAbsolute(a.NegativeSpans, a.NegativeBuckets, a.Schema - schema);
        foreach (var (i, v) in ToAbsolute(b.PositiveSpans, b.PositiveBuckets, b.Schema - schema))
        {
            pos[i] = pos.GetValueOrDefault(i) + sign * v;
        }

        foreach (var (i, v) in ToAbsolute(b.NegativeSpans, b.NegativeBuckets, b.Schema - schema))
        {
            neg[i] = neg.GetValueOrDefault(i) + sign * v;
        }

        var r = new FloatHistogram
        {
            Schema = schema,
            ZeroThreshold = Math.Max(a.ZeroThreshold, b.ZeroThreshold),
            ZeroCount = a.ZeroCount + sign * b.ZeroCount,
            Count = a.Count + sign * b.Count,
            Sum = a.Sum + sign * b.Sum,
            CustomValues = [.. a.CustomValues],
        };
        (r.PositiveSpans, r.PositiveBuckets) = FromAbsolute(pos);
        (r.NegativeSpans, r.NegativeBuckets) = FromAbsolute(neg);
        return r;
    }

    /// <summary>Bucket index → count; <paramref name="reduceBy"/> merges buckets into a schema that much coarser.</summary>
    internal static SortedDictionary<int, double> ToAbsolute(List<BucketSpan> spans, List<double> buckets, int reduceBy)
    {
        var result = new SortedDictionary<int, double>();
        var idx = 0;
        var bi = 0;
        foreach (var span in spans)
        {
            idx += span.Offset;
            for (var j = 0; j < span.Length && bi < buckets.Count; j++, bi++, idx++)
            {
                var target = reduceBy > 0 ? ((idx - 1) >> reduceBy) + 1 : idx;
                result[target] = result.GetValueOrDefault(target) + buckets[bi];
            }
        }

        return result;
    }

    private static (List<BucketSpan>, List<double>) FromAbsolute(SortedDictionary<int, double> buckets)
    {
        var spans = new List<BucketSpan>();
        var values = new List<double>();
        int? last = null;
        foreach (var (i, v) in buckets)
        {
            if (v == 0)
            {
                continue;
            }

            if (last is { } l && i == l + 1)
            {
                spans[^1] = spans[^1] with { Length = spans[^1].Length + 1 };
            }
            else
            {
                spans.Add(new BucketSpan(last is { } l2 ? i - l2 - 1 : i, 1));
            }

            values.Add(v);
            last = i;
        }

        return (spans, values);
    }

    public static bool Equal(FloatHistogram a, FloatHistogram b)
    {
        if (a.Schema != b.Schema || a.Count != b.Count || a.Sum != b.Sum || a.ZeroCount != b.ZeroCount || a.ZeroThreshold != b.ZeroThreshold)
        {
            return false;
        }

        if (a.UsesCustomBuckets && !a.CustomValues.SequenceEqual(b.CustomValues))
        {
            return false;
        }

        return ToAbsolute(a.PositiveSpans, a.PositiveBuckets, 0).Where(kv => kv.Value != 0).SequenceEqual(ToAbsolute(b.PositiveSpans, b.PositiveBuckets, 0).Where(kv => kv.Value != 0)) &&
               ToAbsolute(a.NegativeSpans, a.NegativeBuckets, 0).Where(kv => kv.Value != 0).SequenceEqual(ToAbsolute(b.NegativeSpans, b.NegativeBuckets, 0).Where(kv => kv.Value != 0));
    }

    /// <summary>Prometheus's FloatHistogram.String(): <c>{count:20, sum:10, [-2,-1):2, [-0.001,0.001]:2, (0.5,1]:1}</c>.</summary>
    public static string Format(FloatHistogram h)
    {
        var parts = new List<string> { "count:" + G(h.Count), "sum:" + G(h.Sum) };
        var neg = ToAbsolute(h.NegativeSpans, h.NegativeBuckets, 0).Reverse();
        foreach (var (i, v) in neg)
        {
            if (v != 0)
            {
                var (lower, upper) = Bounds(h, i);
                parts.Add($"[{G(-upper)},{G(-lower)}):{G(v)}");
            }
        }

        if (h.ZeroCount != 0)
        {
            parts.Add($"[{G(-h.ZeroThreshold)},{G(h.ZeroThreshold)}]:{G(h.ZeroCount)}");
        }

        foreach (var (i, v) in ToAbsolute(h.PositiveSpans, h.PositiveBuckets, 0))
        {
            if (v != 0)
            {
                var (lower, upper) = Bounds(h, i);
                parts.Add($"({G(lower)},{G(upper)}]:{G(v)}");
            }
        }

        return "{" + string.Join(", ", parts) + "}";
    }

    private static (double Lower, double Upper) Bounds(FloatHistogram h, int index)
    {
        if (h.UsesCustomBuckets)
        {
            var cv = h.CustomValues;
            var lower = index == 0 ? double.NegativeInfinity : cv[index - 1];
            var upper = index < cv.Count ? cv[index] : double.PositiveInfinity;
            return (lower, upper);
        }

        double Bound(int i) => Math.Pow(2, i * Math.Pow(2, -h.Schema));
        return (Bound(index - 1), Bound(index));
    }

    private static string G(double v) => double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// A binary operator where at least one side is a histogram (Prometheus's vectorElemBinop):
    /// h*f, f*h, h/f, h+h, h-h, h==h and h!=h are defined; anything else drops the element with an info.
    /// </summary>
    public static (double Value, FloatHistogram? H, bool Keep, bool Valid) ElemBinop(TokenKind op, double fl, double fr, FloatHistogram? hl, FloatHistogram? hr, Annotations annos)
    {
        switch (hl, hr)
        {
            case (null, { } r) when op == TokenKind.Mul:
                return (0, Scale(r, fl), true, true);
            case ({ } l, null) when op == TokenKind.Mul:
                return (0, Scale(l, fr), true, true);
            case ({ } l, null) when op == TokenKind.Div:
                return (0, Scale(l, 1 / fr), true, true);
            case ({ } l, { } r) when op is TokenKind.Add or TokenKind.Sub:
                var sum = Add(l, r, op == TokenKind.Sub ? -1 : 1);
                if (sum is null)
                {
                    annos.Warn($"incompatible bucket layout encountered for binary operator {BinaryExpr.OpText(op)}");
                    return (0, null, false, false);
                }

                if (op == TokenKind.Sub)
                {
                    sum.CounterResetHint = CounterResetHint.Gauge;
                }

                return (0, sum, true, true);
            case ({ } l, { } r) when op == TokenKind.Eql:
                return (0, l, Equal(l, r), true);
            case ({ } l, { } r) when op == TokenKind.Neq:
                return (0, l, !Equal(l, r), true);
        }

        var left = hl is null ? "float" : "histogram";
        var right = hr is null ? "float" : "histogram";
        annos.Info($"incompatible sample types encountered for binary operator \"{BinaryExpr.OpText(op)}\": {left} {BinaryExpr.OpText(op)} {right}");
        return (0, null, false, false);
    }
}
