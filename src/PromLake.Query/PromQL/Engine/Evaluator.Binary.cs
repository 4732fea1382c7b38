using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;
using ValueType = PromLake.Query.PromQL.Parsing.ValueType;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
    private List<Series> EvalBinary(BinaryExpr b)
    {
        var lt = b.Lhs.Type;
        var rt = b.Rhs.Type;
        if (lt == ValueType.Scalar && rt == ValueType.Scalar)
        {
            return RangeEval(step =>
            {
                var v = ScalarBinop(b.Op, step.Vectors[0][0].F, step.Vectors[1][0].F);
                return [new Sample(Labels.Empty, 0, v)];
            }, b.Lhs, b.Rhs);
        }

        if (lt == ValueType.Vector && rt == ValueType.Vector)
        {
            var matching = b.Matching!;
            var signatures = new Dictionary<Labels, Labels>();
            Labels Sig(Labels l)
            {
                if (!signatures.TryGetValue(l, out var sig))
                {
                    sig = matching.On ? l.Keep(matching.MatchingLabels) : l.WithoutSet(matching.MatchingLabels, alsoMetricName: true);
                    signatures[l] = sig;
                }

                return sig;
            }

            return b.Op switch
            {
                TokenKind.And => RangeEval(step => VectorAnd(step.Vectors[0], step.Vectors[1], Sig), b.Lhs, b.Rhs),
                TokenKind.Or => RangeEval(step => VectorOr(step.Vectors[0], step.Vectors[1], Sig), b.Lhs, b.Rhs),
                TokenKind.Unless => RangeEval(step => VectorUnless(step.Vectors[0], step.Vectors[1], Sig), b.Lhs, b.Rhs),
                _ => RangeEval(step => VectorBinop(b, step.Vectors[0], step.Vectors[1], Sig), b.Lhs, b.Rhs),
            };
        }

        var vectorOnLeft = lt == ValueType.Vector;
        return RangeEval(step =>
        {
            var vec = vectorOnLeft ? step.Vectors[0] : step.Vectors[1];
            var scalar = vectorOnLeft ? step.Vectors[1][0].F : step.Vectors[0][0].F;
            return VectorScalarBinop(b, vec, scalar, swap: !vectorOnLeft);
        }, b.Lhs, b.Rhs);
    }

    internal static double ScalarBinop(TokenKind op, double lhs, double rhs) => op switch
    {
        TokenKind.Add => lhs + rhs,
        TokenKind.Sub => lhs - rhs,
        TokenKind.Mul => lhs * rhs,
        TokenKind.Div => lhs / rhs,
        TokenKind.Pow => Math.Pow(lhs, rhs),
        TokenKind.Mod => lhs % rhs,
        TokenKind.Eql => lhs == rhs ? 1 : 0,
        TokenKind.Neq => lhs != rhs ? 1 : 0,
        TokenKind.Gtr => lhs > rhs ? 1 : 0,
        TokenKind.Lss => lhs < rhs ? 1 : 0,
        TokenKind.Gte => lhs >= rhs ? 1 : 0,
        TokenKind.Lte => lhs <= rhs ? 1 : 0,
        TokenKind.Atan2 => Math.Atan2(lhs, rhs),
        _ => throw Error($"operator \"{BinaryExpr.OpText(op)}\" not allowed for Scalar operations"),
    };

    /// <summary>The value of one element pair and whether a comparison keeps it (Prometheus's vectorElemBinop, floats).</summary>
    private static (double Value, bool Keep) ElemBinop(TokenKind op, double lhs, double rhs) => op switch
    {
        TokenKind.Add => (lhs + rhs, true),
        TokenKind.Sub => (lhs - rhs, true),
        TokenKind.Mul => (lhs * rhs, true),
        TokenKind.Div => (lhs / rhs, true),
        TokenKind.Pow => (Math.Pow(lhs, rhs), true),
        TokenKind.Mod => (lhs % rhs, true),
        TokenKind.Eql => (lhs, lhs == rhs),
        TokenKind.Neq => (lhs, lhs != rhs),
        TokenKind.Gtr => (lhs, lhs > rhs),
        TokenKind.Lss => (lhs, lhs < rhs),
        TokenKind.Gte => (lhs, lhs >= rhs),
        TokenKind.Lte => (lhs, lhs <= rhs),
        TokenKind.Atan2 => (Math.Atan2(lhs, rhs), true),
        _ => throw Error($"operator \"{BinaryExpr.OpText(op)}\" not allowed for operations between Vectors"),
    };

    /// <summary>Arithmetic changes what a series means, so its name goes; comparisons and set operators keep it.</summary>
    private static bool ChangesMetricSchema(TokenKind op) =>
        op is TokenKind.Add or TokenKind.Sub or TokenKind.Mul or TokenKind.Div or TokenKind.Pow or TokenKind.Mod or TokenKind.Atan2;

    private static List<Sample> VectorAnd(List<Sample> lhs, List<Sample> rhs, Func<Labels, Labels> sig)
    {
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            return [];
        }

        var right = new HashSet<Labels>();
        foreach (var r in rhs)
        {
            right.Add(sig(r.Metric));
        }

        var outv = new List<Sample>();
        foreach (var l in lhs)
        {
            if (right.Contains(sig(l.Metric)))
            {
                outv.Add(l);
            }
        }

        return outv;
    }

    private static List<Sample> VectorOr(List<Sample> lhs, List<Sample> rhs, Func<Labels, Labels> sig)
    {
        if (lhs.Count == 0)
        {
            return [.. rhs];
        }

        if (rhs.Count == 0)
        {
            return [.. lhs];
        }

        var left = new HashSet<Labels>();
        var outv = new List<Sample>(lhs.Count + rhs.Count);
        foreach (var l in lhs)
        {
            left.Add(sig(l.Metric));
            outv.Add(l);
        }

        foreach (var r in rhs)
        {
            if (!left.Contains(sig(r.Metric)))
            {
                outv.Add(r);
            }
        }

        return outv;
    }

    private static List<Sample> VectorUnless(List<Sample> lhs, List<Sample> rhs, Func<Labels, Labels> sig)
    {
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            return [.. lhs];
        }

        var right = new HashSet<Labels>();
        foreach (var r in rhs)
        {
            right.Add(sig(r.Metric));
        }

        var outv = new List<Sample>();
        foreach (var l in lhs)
        {
            if (!right.Contains(sig(l.Metric)))
            {
                outv.Add(l);
            }
        }

        return outv;
    }

    private List<Sample> VectorBinop(BinaryExpr b, List<Sample> lhs, List<Sample> rhs, Func<Labels, Labels> sig)
    {
        var matching = b.Matching!;
        if (lhs.Count == 0 || rhs.Count == 0)
        {
            return [];
        }

        var swapped = matching.Card == Cardinality.OneToMany;
        if (swapped)
        {
            (lhs, rhs) = (rhs, lhs);
        }

        // The right side is the "one" side: its signatures must be unique.
        var rightSigs = new Dictionary<Labels, Sample>();
        foreach (var rs in rhs)
        {
            var s = sig(rs.Metric);
            if (rightSigs.TryGetValue(s, out var dup))
            {
                var oneSide = swapped ? "left" : "right";
                throw Error($"found duplicate series for the match group {s} on the {oneSide} hand-side of the operation: " +
                            $"[{rs.Metric}, {dup.Metric}];many-to-many matching not allowed: matching labels must be unique on one side");
            }

            rightSigs[s] = rs;
        }

        var matchedOneToOne = new HashSet<Labels>();
        var matchedManyToOne = new Dictionary<Labels, HashSet<Labels>>();
        var outv = new List<Sample>();
        foreach (var ls in lhs)
        {
            var s = sig(ls.Metric);
            if (!rightSigs.TryGetValue(s, out var rs))
            {
                continue;
            }

            var (fl, fr) = swapped ? (rs.F, ls.F) : (ls.F, rs.F);
            var (hl, hr) = swapped ? (rs.H, ls.H) : (ls.H, rs.H);
            double value;
            bool keep;
            FloatHistogram? hv = null;
            if (hl is not null || hr is not null || BinaryExpr.IsHistogramTrim(b.Op))
            {
                (value, hv, keep, var valid) = HistogramBinop.Apply(b.Op, fl, fr, hl, hr, _annos);
                if (!valid)
                {
                    continue;
                }
            }
            else
            {
                (value, keep) = ElemBinop(b.Op, fl, fr);
            }

            if (b.ReturnBool)
            {
                hv = null;
                value = keep ? 1 : 0;
            }

            var metric = ResultMetric(ls.Metric, rs.Metric, b.Op, matching);
            if (matching.Card == Cardinality.OneToOne)
            {
                if (!matchedOneToOne.Add(s))
                {
                    throw Error("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
            }
            else
            {
                if (!matchedManyToOne.TryGetValue(s, out var inserted))
                {
                    inserted = [];
                    matchedManyToOne[s] = inserted;
                }

                if (!inserted.Add(metric))
                {
                    throw Error("multiple matches for labels: grouping labels must ensure unique matches");
                }
            }

            if (!keep && !b.ReturnBool)
            {
                continue;
            }

            outv.Add(new Sample(metric, 0, value, hv, b.ReturnBool));
        }

        return outv;
    }

    private static Labels ResultMetric(Labels lhs, Labels rhs, TokenKind op, VectorMatching matching)
    {
        var lb = new LabelsBuilder(lhs);
        if (ChangesMetricSchema(op))
        {
            lb.Del(Labels.MetricName);
        }

        if (matching.Card == Cardinality.OneToOne)
        {
            if (matching.On)
            {
                foreach (var l in lhs.AsSpan())
                {
                    if (!matching.MatchingLabels.Contains(l.Name))
                    {
                        lb.Del(l.Name);
                    }
                }
            }
            else
            {
                foreach (var n in matching.MatchingLabels)
                {
                    lb.Del(n);
                }
            }
        }

        foreach (var n in matching.Include)
        {
            lb.Set(n, rhs.Get(n));
        }

        return lb.Build();
    }

    private List<Sample> VectorScalarBinop(BinaryExpr b, List<Sample> vec, double scalar, bool swap)
    {
        var outv = new List<Sample>(vec.Count);
        foreach (var sample in vec)
        {
            var (lf, rf) = swap ? (scalar, sample.F) : (sample.F, scalar);
            double value;
            bool keep;
            FloatHistogram? hv = null;
            if (sample.H is not null || BinaryExpr.IsHistogramTrim(b.Op))
            {
                var (lh, rh) = swap ? (null, sample.H) : (sample.H, (FloatHistogram?)null);
                (value, hv, keep, var valid) = HistogramBinop.Apply(b.Op, lf, rf, lh, rh, _annos);
                if (!valid)
                {
                    continue;
                }

                if (BinaryExpr.IsComparison(b.Op) && swap)
                {
                    hv = rh;
                }
            }
            else
            {
                (value, keep) = ElemBinop(b.Op, lf, rf);
                if (BinaryExpr.IsComparison(b.Op) && swap)
                {
                    value = rf;
                }
            }

            if (b.ReturnBool)
            {
                value = keep ? 1 : 0;
                hv = null;
                keep = true;
            }

            if (!keep)
            {
                continue;
            }

            var outSample = sample with { F = value, H = hv };
            if (ChangesMetricSchema(b.Op) || b.ReturnBool)
            {
                outSample.DropName = true;
            }

            outv.Add(outSample);
        }

        return outv;
    }
}
