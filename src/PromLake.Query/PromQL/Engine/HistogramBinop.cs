using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Engine;

/// <summary>
/// A binary operator where at least one side is a native histogram (the histogram cases of Prometheus's
/// vectorElemBinop): h*f, f*h, h/f, h+h, h-h, h==h, h!=h and the trim operators h&lt;/f and h&gt;/f are defined;
/// any other pairing drops the element with an info annotation.
/// </summary>
internal static class HistogramBinop
{
    public static (double Value, FloatHistogram? H, bool Keep, bool Valid) Apply(TokenKind op, double fl, double fr, FloatHistogram? hl, FloatHistogram? hr, Annotations annos)
    {
        switch (hl, hr)
        {
            case (null, { } r) when op == TokenKind.Mul:
                return (0, r.Copy().Mul(fl).Compact(), true, true);
            case ({ } l, null) when op == TokenKind.Mul:
                return (0, l.Copy().Mul(fr).Compact(), true, true);
            case ({ } l, null) when op == TokenKind.Div:
                return (0, l.Copy().Div(fr).Compact(), true, true);
            case ({ } l, null) when BinaryExpr.IsHistogramTrim(op):
                return (0, HistogramTrim.Trim(l, fr, keepBelow: op == TokenKind.TrimUpper), true, true);
            case ({ } l, { } r) when op is TokenKind.Add or TokenKind.Sub:
                var result = l.Copy();
                var sub = op == TokenKind.Sub;
                var combination = sub ? result.Sub(r) : result.Add(r);
                var operation = sub ? "subtraction" : "addition";
                if (combination.Incompatible)
                {
                    // Prometheus reports this without a metric name.
                    annos.MixedExponentialCustomHistograms("");
                    return (0, null, false, false);
                }

                if (combination.CounterResetCollision)
                {
                    annos.HistogramCounterResetCollision(operation);
                }

                if (combination.CustomBoundsReconciled)
                {
                    annos.MismatchedCustomBuckets(operation);
                }

                if (sub)
                {
                    result.CounterResetHint = CounterResetHint.Gauge;
                }

                return (0, result.Compact(), true, true);
            case ({ } l, { } r) when op is TokenKind.Eql or TokenKind.Neq:
                var equal = l.Copy().Compact().DataEquals(r.Copy().Compact());
                return (0, l, op == TokenKind.Eql ? equal : !equal, true);
        }

        var opText = BinaryExpr.OpText(op);
        annos.IncompatibleTypesInBinOp(hl is null ? "float" : "histogram", opText, hr is null ? "float" : "histogram");
        return (0, null, false, false);
    }
}
