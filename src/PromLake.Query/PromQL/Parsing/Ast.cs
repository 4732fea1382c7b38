using System.Globalization;
using System.Text;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Functions;

namespace PromLake.Query.PromQL.Parsing;

public enum ValueType
{
    None,
    Scalar,
    Vector,
    Matrix,
    String,
}

public static class ValueTypeNames
{
    public static string Name(this ValueType t) => t switch
    {
        ValueType.Scalar => "scalar",
        ValueType.Vector => "instant vector",
        ValueType.Matrix => "range vector",
        ValueType.String => "string",
        _ => "none",
    };
}

/// <summary>Which end of the query an <c>@ start()</c> / <c>@ end()</c> modifier refers to.</summary>
public enum AtAnchor
{
    None,
    Start,
    End,
}

/// <summary>A node of the PromQL syntax tree. <see cref="Start"/>/<see cref="End"/> locate it in the query text.</summary>
public abstract class Expr
{
    public int Start { get; set; }

    public int End { get; set; }

    public abstract ValueType Type { get; }

    internal static string FormatNumber(double v)
    {
        if (double.IsPositiveInfinity(v))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(v))
        {
            return "-Inf";
        }

        return double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
    }

    internal static string FormatLabelList(IReadOnlyList<string> names) =>
        "(" + string.Join(", ", names.Select(n => Labels.IsLegacyLabelName(n) ? n : Labels.Quote(n))) + ")";
}

public sealed class NumberLiteral(double value) : Expr
{
    public double Value { get; set; } = value;

    public override ValueType Type => ValueType.Scalar;

    public override string ToString() => FormatNumber(Value);
}

public sealed class StringLiteral(string value) : Expr
{
    public string Value { get; } = value;

    public override ValueType Type => ValueType.String;

    public override string ToString() => Labels.Quote(Value);
}

public sealed class ParenExpr(Expr inner) : Expr
{
    public Expr Inner { get; } = inner;

    public override ValueType Type => Inner.Type;

    public override string ToString() => "(" + Inner + ")";
}

public sealed class UnaryExpr(TokenKind op, Expr operand) : Expr
{
    public TokenKind Op { get; } = op;

    public Expr Operand { get; } = operand;

    public override ValueType Type => Operand.Type;

    public override string ToString() => (Op == TokenKind.Sub ? "-" : "+") + Operand;
}

public enum Cardinality
{
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

/// <summary>The <c>on</c>/<c>ignoring</c> and <c>group_left</c>/<c>group_right</c> clause of a binary operation.</summary>
public sealed class VectorMatching
{
    public Cardinality Card { get; set; }

    public List<string> MatchingLabels { get; set; } = [];

    /// <summary>True for <c>on(…)</c>, false for <c>ignoring(…)</c> or no clause.</summary>
    public bool On { get; set; }

    /// <summary>Labels listed in <c>group_left(…)</c>/<c>group_right(…)</c>, copied from the "one" side.</summary>
    public List<string> Include { get; set; } = [];

    /// <summary>Whether <c>on</c> or <c>ignoring</c> was written (needed to print the expression back).</summary>
    public bool Explicit { get; set; }
}

public sealed class BinaryExpr(TokenKind op, Expr lhs, Expr rhs) : Expr
{
    public TokenKind Op { get; } = op;

    public Expr Lhs { get; } = lhs;

    public Expr Rhs { get; } = rhs;

    public VectorMatching? Matching { get; set; }

    public bool ReturnBool { get; set; }

    public override ValueType Type =>
        Lhs.Type == ValueType.Scalar && Rhs.Type == ValueType.Scalar ? ValueType.Scalar : ValueType.Vector;

    public static bool IsComparison(TokenKind op) =>
        op is TokenKind.Eql or TokenKind.Neq or TokenKind.Lss or TokenKind.Lte or TokenKind.Gtr or TokenKind.Gte;

    public static bool IsSetOperator(TokenKind op) => op is TokenKind.And or TokenKind.Or or TokenKind.Unless;

    public static bool IsHistogramTrim(TokenKind op) => op is TokenKind.TrimUpper or TokenKind.TrimLower;

    public static string OpText(TokenKind op) => op switch
    {
        TokenKind.Add => "+",
        TokenKind.Sub => "-",
        TokenKind.Mul => "*",
        TokenKind.Div => "/",
        TokenKind.Mod => "%",
        TokenKind.Pow => "^",
        TokenKind.Eql => "==",
        TokenKind.Neq => "!=",
        TokenKind.Lss => "<",
        TokenKind.Lte => "<=",
        TokenKind.Gtr => ">",
        TokenKind.Gte => ">=",
        TokenKind.And => "and",
        TokenKind.Or => "or",
        TokenKind.Unless => "unless",
        TokenKind.Atan2 => "atan2",
        TokenKind.TrimUpper => "</",
        TokenKind.TrimLower => ">/",
        _ => op.ToString(),
    };

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Lhs).Append(' ').Append(OpText(Op));
        if (ReturnBool)
        {
            sb.Append(" bool");
        }

        if (Matching is { } m)
        {
            if (m.Explicit || m.On)
            {
                sb.Append(m.On ? " on" : " ignoring").Append(FormatLabelList(m.MatchingLabels));
            }

            if (m.Card is Cardinality.ManyToOne or Cardinality.OneToMany)
            {
                sb.Append(m.Card == Cardinality.ManyToOne ? " group_left" : " group_right");
                if (m.Include.Count > 0)
                {
                    sb.Append(FormatLabelList(m.Include));
                }
            }
        }

        sb.Append(' ').Append(Rhs);
        return sb.ToString();
    }
}

/// <summary>Common part of the nodes that take <c>offset</c> and <c>@</c>.</summary>
public interface ITimeModified
{
    /// <summary>The offset as written, in ms (negative allowed).</summary>
    long OriginalOffset { get; set; }

    /// <summary>The <c>@</c> timestamp in ms, once known (for start()/end() the engine fills it in).</summary>
    long? Timestamp { get; set; }

    AtAnchor Anchor { get; set; }
}

public sealed class VectorSelector : Expr, ITimeModified
{
    public string? Name { get; set; }

    public List<LabelMatcher> Matchers { get; set; } = [];

    public long OriginalOffset { get; set; }

    public long? Timestamp { get; set; }

    public AtAnchor Anchor { get; set; }

    /// <summary>
    /// Set before evaluation when only the count and sum of native histograms are needed (see
    /// HistogramStatsDecoding): histograms are then read without buckets, with counter resets detected as read.
    /// </summary>
    public bool SkipHistogramBuckets { get; set; }

    public override ValueType Type => ValueType.Vector;

    public override string ToString()
    {
        var sb = new StringBuilder();
        var others = Matchers.Where(m => !(Name is not null && m.Name == Labels.MetricName && m.Type == MatcherType.Equal && m.Value == Name)).ToList();
        var legacyName = Name is not null && Labels.IsLegacyMetricName(Name);
        if (legacyName)
        {
            sb.Append(Name);
        }

        if (others.Count > 0 || !legacyName)
        {
            sb.Append('{');
            var parts = new List<string>();
            if (Name is not null && !legacyName)
            {
                parts.Add(Labels.Quote(Name));
            }

            parts.AddRange(others.Select(m => m.ToString()));
            sb.Append(string.Join(", ", parts)).Append('}');
        }

        sb.Append(Modifiers.Format(this));
        return sb.ToString();
    }
}

public sealed class MatrixSelector(VectorSelector selector, long range) : Expr
{
    public VectorSelector Selector { get; } = selector;

    /// <summary>The range in ms.</summary>
    public long Range { get; } = range;

    public override ValueType Type => ValueType.Matrix;

    public override string ToString()
    {
        // The modifiers of the inner selector print after the range.
        var inner = Selector.ToString();
        var mods = Modifiers.Format(Selector);
        if (mods.Length > 0)
        {
            inner = inner[..^mods.Length];
        }

        return inner + "[" + Durations.Format(Range) + "]" + mods;
    }
}

public sealed class SubqueryExpr(Expr inner, long range, long step) : Expr, ITimeModified
{
    public Expr Inner { get; } = inner;

    public long Range { get; } = range;

    /// <summary>The resolution in ms; 0 when not given (the engine's default interval applies).</summary>
    public long Step { get; } = step;

    public long OriginalOffset { get; set; }

    public long? Timestamp { get; set; }

    public AtAnchor Anchor { get; set; }

    public override ValueType Type => ValueType.Matrix;

    public override string ToString() =>
        Inner + "[" + Durations.Format(Range) + ":" + (Step > 0 ? Durations.Format(Step) : "") + "]" + Modifiers.Format(this);
}

internal static class Modifiers
{
    public static string Format(ITimeModified m)
    {
        var sb = new StringBuilder();
        if (m.Anchor == AtAnchor.Start)
        {
            sb.Append(" @ start()");
        }
        else if (m.Anchor == AtAnchor.End)
        {
            sb.Append(" @ end()");
        }
        else if (m.Timestamp is { } ts)
        {
            sb.Append(" @ ").Append((ts / 1000.0).ToString("0.000", CultureInfo.InvariantCulture));
        }

        if (m.OriginalOffset > 0)
        {
            sb.Append(" offset ").Append(Durations.Format(m.OriginalOffset));
        }
        else if (m.OriginalOffset < 0)
        {
            sb.Append(" offset -").Append(Durations.Format(-m.OriginalOffset));
        }

        return sb.ToString();
    }
}

public sealed class Call(FunctionDef func, List<Expr> args) : Expr
{
    public FunctionDef Func { get; } = func;

    public List<Expr> Args { get; } = args;

    public override ValueType Type => Func.ReturnType;

    public override string ToString() => Func.Name + "(" + string.Join(", ", Args) + ")";
}

public sealed class AggregateExpr(string op, Expr inner) : Expr
{
    /// <summary>The aggregation in lower case: sum, topk, count_values, …</summary>
    public string Op { get; } = op;

    public Expr Inner { get; } = inner;

    public Expr? Param { get; set; }

    public List<string> Grouping { get; set; } = [];

    public bool Without { get; set; }

    /// <summary>True when <c>by</c>/<c>without</c> was written (even with an empty list).</summary>
    public bool HasGrouping { get; set; }

    public override ValueType Type => ValueType.Vector;

    public override string ToString()
    {
        var sb = new StringBuilder(Op);
        if (HasGrouping)
        {
            sb.Append(Without ? " without " : " by ").Append(FormatLabelList(Grouping)).Append(' ');
        }

        sb.Append('(');
        if (Param is not null)
        {
            sb.Append(Param).Append(", ");
        }

        return sb.Append(Inner).Append(')').ToString();
    }
}
