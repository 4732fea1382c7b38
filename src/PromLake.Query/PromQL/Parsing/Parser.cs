using System.Globalization;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Functions;
using ValueType = PromLake.Query.PromQL.Parsing.ValueType;

namespace PromLake.Query.PromQL.Parsing;

/// <summary>
/// Recursive-descent PromQL parser. Operator precedence, lowest first, as Prometheus's grammar:
/// <c>or</c>; <c>and unless</c>; comparisons; <c>+ -</c>; <c>* / % atan2</c>; <c>^</c> (right-associative).
/// Unary minus binds like <c>*</c>, so <c>-2 ^ 2</c> is <c>-(2 ^ 2)</c>. Types are checked as the tree is built.
/// </summary>
public sealed class Parser
{
    public static readonly string[] Aggregators =
    [
        "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar",
        "topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio",
    ];

    private readonly string _query;
    private readonly List<Token> _tokens;
    private int _i;
    private bool _seriesDescription;

    private Parser(string query)
    {
        _query = query;
        _tokens = Lexer.Tokenize(query);
    }

    /// <summary>Parses and type-checks an expression; throws <see cref="ParseException"/>.</summary>
    public static Expr ParseExpr(string query)
    {
        var p = new Parser(query);
        if (p.Peek.Kind == TokenKind.Eof)
        {
            throw p.Error(p.Peek, "no expression found in input");
        }

        var e = p.ParseBinary(0);
        if (p.Peek.Kind != TokenKind.Eof)
        {
            throw p.Error(p.Peek, $"unexpected {p.Peek}");
        }

        return e;
    }

    /// <summary>Parses a series description of the test language: <c>metric{a="b"}</c> (no values).</summary>
    public static Labels ParseMetric(string text)
    {
        var p = new Parser(text) { _seriesDescription = true };
        var e = p.ParsePrimary();
        if (p.Peek.Kind != TokenKind.Eof || e is not VectorSelector vs)
        {
            throw p.Error(p.Peek, "expected a metric with labels");
        }

        var pairs = new List<Label>();
        foreach (var m in vs.Matchers)
        {
            if (m.Type != MatcherType.Equal)
            {
                throw p.Error(p.Peek, "only = matchers are allowed in a series description");
            }

            pairs.Add(new Label(m.Name, m.Value));
        }

        return Labels.FromPairs(pairs);
    }

    private Token Peek => _tokens[_i];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_i + ahead, _tokens.Count - 1)];

    private Token Advance() => _tokens[_i++];

    private ParseException Error(Token at, string detail) => new(_query, at.Start, at.End, detail);

    private ParseException Error(Expr at, string detail) => new(_query, at.Start, at.End, detail);

    private Token Expect(TokenKind kind, string context)
    {
        var t = Peek;
        if (t.Kind != kind)
        {
            throw Error(t, $"unexpected {t} {context}");
        }

        return Advance();
    }

    private bool IsWord(Token t, string word) =>
        t.Kind == TokenKind.Identifier && string.Equals(t.Text, word, StringComparison.OrdinalIgnoreCase);

    private static int Precedence(TokenKind k) => k switch
    {
        TokenKind.Or => 1,
        TokenKind.And or TokenKind.Unless => 2,
        TokenKind.Eql or TokenKind.Neq or TokenKind.Lss or TokenKind.Lte or TokenKind.Gtr or TokenKind.Gte or TokenKind.TrimUpper or TokenKind.TrimLower => 3,
        TokenKind.Add or TokenKind.Sub => 4,
        TokenKind.Mul or TokenKind.Div or TokenKind.Mod or TokenKind.Atan2 => 5,
        TokenKind.Pow => 6,
        _ => -1,
    };

    private Expr ParseBinary(int minPrec)
    {
        var lhs = ParseUnary();
        while (true)
        {
            var opTok = Peek;
            var prec = Precedence(opTok.Kind);
            if (prec < 0 || prec < minPrec)
            {
                return lhs;
            }

            Advance();
            var returnBool = false;
            if (IsWord(Peek, "bool"))
            {
                Advance();
                returnBool = true;
            }

            var matching = new VectorMatching { Card = Cardinality.OneToOne };
            if (IsWord(Peek, "on") || IsWord(Peek, "ignoring"))
            {
                matching.On = IsWord(Advance(), "on");
                matching.Explicit = true;
                matching.MatchingLabels = ParseLabelList();
                if (IsWord(Peek, "group_left") || IsWord(Peek, "group_right"))
                {
                    matching.Card = IsWord(Advance(), "group_left") ? Cardinality.ManyToOne : Cardinality.OneToMany;
                    if (Peek.Kind == TokenKind.LeftParen)
                    {
                        matching.Include = ParseLabelList();
                    }
                }
            }
            else if (IsWord(Peek, "group_left") || IsWord(Peek, "group_right"))
            {
                throw Error(Peek, $"unexpected {Peek}: group_left and group_right need a preceding on(…) or ignoring(…)");
            }

            var rhs = ParseBinary(opTok.Kind == TokenKind.Pow ? prec : prec + 1);
            lhs = BuildBinary(opTok, lhs, rhs, matching, returnBool);
        }
    }

    private BinaryExpr BuildBinary(Token opTok, Expr lhs, Expr rhs, VectorMatching matching, bool returnBool)
    {
        var op = opTok.Kind;
        var e = new BinaryExpr(op, lhs, rhs) { Matching = matching, ReturnBool = returnBool, Start = lhs.Start, End = rhs.End };
        var opName = BinaryExpr.OpText(op);
        if (returnBool && !BinaryExpr.IsComparison(op))
        {
            throw Error(opTok, "bool modifier can only be used on comparison operators");
        }

        var lt = lhs.Type;
        var rt = rhs.Type;
        if (BinaryExpr.IsComparison(op) && !returnBool && lt == ValueType.Scalar && rt == ValueType.Scalar)
        {
            throw Error(e, "comparisons between scalars must use BOOL modifier");
        }

        if (BinaryExpr.IsSetOperator(op) && matching.Card == Cardinality.OneToOne)
        {
            matching.Card = Cardinality.ManyToMany;
        }

        if (matching.On)
        {
            foreach (var l in matching.MatchingLabels)
            {
                if (matching.Include.Contains(l))
                {
                    throw Error(e, $"label \"{l}\" must not occur in ON and GROUP clause at once");
                }
            }
        }

        if (lt is not (ValueType.Scalar or ValueType.Vector) || rt is not (ValueType.Scalar or ValueType.Vector))
        {
            throw Error(e, "binary expression must contain only scalar and instant vector types");
        }

        if (lt != ValueType.Vector || rt != ValueType.Vector)
        {
            if (matching.MatchingLabels.Count > 0 || matching.Explicit)
            {
                throw Error(e, "vector matching only allowed between instant vectors");
            }

            if (matching.Card is Cardinality.ManyToOne or Cardinality.OneToMany)
            {
                throw Error(e, "vector matching only allowed between instant vectors");
            }

            e.Matching = null;
        }
        else if (BinaryExpr.IsSetOperator(op))
        {
            if (matching.Card is Cardinality.ManyToOne or Cardinality.OneToMany)
            {
                throw Error(e, $"no grouping allowed for \"{opName}\" operation");
            }
        }

        if ((lt == ValueType.Scalar || rt == ValueType.Scalar) && BinaryExpr.IsSetOperator(op))
        {
            throw Error(e, $"set operator \"{opName}\" not allowed in binary scalar expression");
        }

        return e;
    }

    private Expr ParseUnary()
    {
        var t = Peek;
        if (t.Kind is TokenKind.Add or TokenKind.Sub)
        {
            Advance();
            var operand = ParseBinary(Precedence(TokenKind.Pow));
            if (operand.Type is not (ValueType.Scalar or ValueType.Vector))
            {
                throw Error(operand, $"unary expression only allowed on expressions of type scalar or instant vector, got \"{operand.Type.Name()}\"");
            }

            if (operand is NumberLiteral n)
            {
                if (t.Kind == TokenKind.Sub)
                {
                    n.Value = -n.Value;
                }

                n.Start = t.Start;
                return n;
            }

            return new UnaryExpr(t.Kind, operand) { Start = t.Start, End = operand.End };
        }

        return ParsePostfix();
    }

    private Expr ParsePostfix()
    {
        var e = ParsePrimary();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.LeftBracket)
            {
                e = ParseRangeOrSubquery(e);
            }
            else if (IsWord(t, "offset"))
            {
                Advance();
                var sign = 1;
                if (Peek.Kind is TokenKind.Sub or TokenKind.Add)
                {
                    sign = Advance().Kind == TokenKind.Sub ? -1 : 1;
                }

                var offset = sign * ParseDurationValue("offset");
                var target = TimeModifiable(e, t, "offset");
                if (target.OriginalOffset != 0)
                {
                    throw Error(t, "offset may not be set multiple times");
                }

                target.OriginalOffset = offset;
                e.End = _tokens[_i - 1].End;
            }
            else if (t.Kind == TokenKind.At)
            {
                Advance();
                var target = TimeModifiable(e, t, "@");
                if (target.Timestamp is not null || target.Anchor != AtAnchor.None)
                {
                    throw Error(t, "@ <timestamp> may not be set multiple times");
                }

                if (IsWord(Peek, "start") || IsWord(Peek, "end"))
                {
                    target.Anchor = IsWord(Advance(), "start") ? AtAnchor.Start : AtAnchor.End;
                    Expect(TokenKind.LeftParen, "after start/end in @ modifier");
                    Expect(TokenKind.RightParen, "after start/end in @ modifier");
                }
                else
                {
                    var sign = 1.0;
                    if (Peek.Kind is TokenKind.Sub or TokenKind.Add)
                    {
                        sign = Advance().Kind == TokenKind.Sub ? -1 : 1;
                    }

                    var num = Peek;
                    double seconds;
                    if (num.Kind == TokenKind.Number)
                    {
                        seconds = ParseNumber(Advance());
                    }
                    else if (num.Kind == TokenKind.Duration)
                    {
                        seconds = Durations.Parse(Advance().Text) / 1000.0;
                    }
                    else
                    {
                        throw Error(num, $"unexpected {num} in @, expected timestamp");
                    }

                    seconds *= sign;
                    if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > long.MaxValue / 1000.0)
                    {
                        throw Error(num, "timestamp out of bounds for @ modifier: " + Expr.FormatNumber(seconds));
                    }

                    target.Timestamp = (long)Math.Round(seconds * 1000.0);
                }

                e.End = _tokens[_i - 1].End;
            }
            else
            {
                return e;
            }
        }
    }

    private ITimeModified TimeModifiable(Expr e, Token at, string what) => e switch
    {
        VectorSelector vs => vs,
        MatrixSelector ms => ms.Selector,
        SubqueryExpr sq => sq,
        _ => throw Error(at, $"{what} modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
    };

    private Expr ParseRangeOrSubquery(Expr e)
    {
        var open = Advance();
        var range = ParseDurationValue("in range");
        if (Peek.Kind == TokenKind.Colon)
        {
            Advance();
            long step = 0;
            if (Peek.Kind != TokenKind.RightBracket)
            {
                step = ParseDurationValue("in subquery step");
            }

            var close = Expect(TokenKind.RightBracket, "in subquery selector, expected \"]\"");
            if (e.Type != ValueType.Vector)
            {
                throw Error(e, $"subquery is only allowed on instant vector, got {e.Type.Name()} instead");
            }

            if (range <= 0)
            {
                throw Error(open, "subquery range must be greater than 0");
            }

            return new SubqueryExpr(e, range, step) { Start = e.Start, End = close.End };
        }

        var end = Expect(TokenKind.RightBracket, "in range selector, expected \"]\" or \":\"");
        if (e is not VectorSelector vs)
        {
            throw Error(e, "ranges only allowed for vector selectors");
        }

        if (vs.OriginalOffset != 0 || vs.Timestamp is not null || vs.Anchor != AtAnchor.None)
        {
            throw Error(open, "no offset or @ modifiers allowed before range");
        }

        if (range <= 0)
        {
            throw Error(open, "range selector must be greater than 0");
        }

        return new MatrixSelector(vs, range) { Start = e.Start, End = end.End };
    }

    /// <summary>A duration as written (<c>5m</c>) or a number of seconds (<c>300</c>, <c>1.5</c>), in ms.</summary>
    private long ParseDurationValue(string context)
    {
        var t = Peek;
        if (t.Kind == TokenKind.Duration)
        {
            Advance();
            if (!Durations.TryParse(t.Text, out var ms))
            {
                throw Error(t, $"invalid duration \"{t.Text}\"");
            }

            return ms;
        }

        if (t.Kind == TokenKind.Number)
        {
            Advance();
            var seconds = ParseNumber(t);
            if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > long.MaxValue / 1000.0)
            {
                throw Error(t, $"invalid duration \"{t.Text}\"");
            }

            return (long)Math.Round(seconds * 1000.0);
        }

        throw Error(t, $"unexpected {t} {context}, expected a duration");
    }

    private double ParseNumber(Token t)
    {
        var text = t.Text.Replace("_", "", StringComparison.Ordinal);
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                return hex;
            }

            throw Error(t, $"invalid hexadecimal number \"{t.Text}\"");
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            return v;
        }

        throw Error(t, $"invalid number \"{t.Text}\"");
    }

    private Expr ParsePrimary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new NumberLiteral(ParseNumber(t)) { Start = t.Start, End = t.End };
            case TokenKind.Duration:
                Advance();
                return new NumberLiteral(Durations.Parse(t.Text) / 1000.0) { Start = t.Start, End = t.End };
            case TokenKind.String:
                Advance();
                return new StringLiteral(t.Text) { Start = t.Start, End = t.End };
            case TokenKind.LeftParen:
            {
                Advance();
                if (Peek.Kind == TokenKind.RightParen)
                {
                    throw Error(Peek, "unexpected \")\": expected an expression inside parentheses");
                }

                var inner = ParseBinary(0);
                var close = Expect(TokenKind.RightParen, "in parenthesized expression, expected \")\"");
                return new ParenExpr(inner) { Start = t.Start, End = close.End };
            }

            case TokenKind.LeftBrace:
                return ParseSelector(null, t);
            case TokenKind.Identifier:
                return ParseIdentifierExpr();
            case TokenKind.Eof:
                throw Error(t, "unexpected end of input");
            default:
                throw Error(t, $"unexpected {t}");
        }
    }

    private Expr ParseIdentifierExpr()
    {
        var t = Peek;
        var lower = t.Text.ToLowerInvariant();
        var next = PeekAt(1);
        if (Array.IndexOf(Aggregators, lower) >= 0 &&
            (next.Kind == TokenKind.LeftParen || IsWord(next, "by") || IsWord(next, "without")))
        {
            return ParseAggregation();
        }

        if (next.Kind == TokenKind.LeftParen)
        {
            if (!FunctionCatalog.TryGet(t.Text, out var def))
            {
                throw Error(t, $"unknown function with name \"{t.Text}\"");
            }

            return ParseCall(def);
        }

        if (lower is "inf" or "nan")
        {
            Advance();
            return new NumberLiteral(lower == "inf" ? double.PositiveInfinity : double.NaN) { Start = t.Start, End = t.End };
        }

        if (lower is "by" or "without" or "on" or "ignoring" or "group_left" or "group_right" or "bool" or "offset" ||
            Array.IndexOf(Aggregators, lower) >= 0)
        {
            throw Error(t, $"unexpected {lower}");
        }

        Advance();
        if (Peek.Kind == TokenKind.LeftBrace)
        {
            return ParseSelector(t.Text, t);
        }

        return FinishSelector(t.Text, [], t.Start, t.End);
    }

    private Expr ParseSelector(string? name, Token first)
    {
        Expect(TokenKind.LeftBrace, "in selector");
        var matchers = new List<LabelMatcher>();
        while (Peek.Kind != TokenKind.RightBrace)
        {
            var labelTok = Peek;
            string label;
            if (labelTok.Kind == TokenKind.Identifier)
            {
                label = Advance().Text;
            }
            else if (labelTok.Kind == TokenKind.String)
            {
                label = Advance().Text;
                if (Peek.Kind is TokenKind.Comma or TokenKind.RightBrace)
                {
                    // A bare quoted string is the metric name (Prometheus 3 UTF-8 syntax).
                    if (name is not null)
                    {
                        throw Error(labelTok, $"metric name must not be set twice: \"{name}\" or \"{label}\"");
                    }

                    name = label;
                    if (Peek.Kind == TokenKind.Comma)
                    {
                        Advance();
                    }

                    continue;
                }
            }
            else
            {
                throw Error(labelTok, $"unexpected {labelTok} in label matching, expected label");
            }

            var opTok = Advance();
            var type = opTok.Kind switch
            {
                TokenKind.Assign => MatcherType.Equal,
                TokenKind.Neq => MatcherType.NotEqual,
                TokenKind.EqlRegex => MatcherType.Regexp,
                TokenKind.NeqRegex => MatcherType.NotRegexp,
                _ => throw Error(opTok, $"unexpected {opTok} in label matching, expected one of \"=\", \"!=\", \"=~\" or \"!~\""),
            };
            var valueTok = Peek;
            if (valueTok.Kind != TokenKind.String)
            {
                throw Error(valueTok, $"unexpected {valueTok} in label matching, expected string");
            }

            Advance();
            try
            {
                matchers.Add(new LabelMatcher(type, label, valueTok.Text));
            }
            catch (ArgumentException ex)
            {
                throw Error(valueTok, ex.Message);
            }

            if (Peek.Kind == TokenKind.Comma)
            {
                Advance();
            }
            else if (Peek.Kind != TokenKind.RightBrace)
            {
                throw Error(Peek, $"unexpected {Peek} in label matching, expected \",\" or \"}}\"");
            }
        }

        var close = Advance();
        return FinishSelector(name, matchers, first.Start, close.End);
    }

    private VectorSelector FinishSelector(string? name, List<LabelMatcher> matchers, int start, int end)
    {
        if (name is not null)
        {
            foreach (var m in matchers)
            {
                if (m.Name == Labels.MetricName)
                {
                    throw new ParseException(_query, start, end, $"metric name must not be set twice: \"{name}\" or \"{m.Value}\"");
                }
            }

            matchers.Insert(0, new LabelMatcher(MatcherType.Equal, Labels.MetricName, name));
        }

        var anyNonEmpty = false;
        foreach (var m in matchers)
        {
            if (!m.Matches(string.Empty))
            {
                anyNonEmpty = true;
                break;
            }
        }

        if (!anyNonEmpty && !_seriesDescription)
        {
            throw new ParseException(_query, start, end, "vector selector must contain at least one non-empty matcher");
        }

        return new VectorSelector { Name = name, Matchers = matchers, Start = start, End = end };
    }

    private List<string> ParseLabelList()
    {
        Expect(TokenKind.LeftParen, "in grouping opts, expected \"(\"");
        var names = new List<string>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            var t = Peek;
            if (t.Kind is TokenKind.Identifier or TokenKind.And or TokenKind.Or or TokenKind.Unless or TokenKind.Atan2)
            {
                if (t.Text.Contains(':', StringComparison.Ordinal))
                {
                    throw Error(t, $"unexpected {t} in grouping opts, expected label");
                }

                names.Add(Advance().Text);
            }
            else if (t.Kind == TokenKind.String)
            {
                names.Add(Advance().Text);
            }
            else
            {
                throw Error(t, $"unexpected {t} in grouping opts, expected label");
            }

            if (Peek.Kind == TokenKind.Comma)
            {
                Advance();
            }
            else if (Peek.Kind != TokenKind.RightParen)
            {
                throw Error(Peek, $"unexpected {Peek} in grouping opts, expected \",\" or \")\"");
            }
        }

        Advance();
        return names;
    }

    private AggregateExpr ParseAggregation()
    {
        var opTok = Advance();
        var op = opTok.Text.ToLowerInvariant();
        List<string>? grouping = null;
        var without = false;
        if (IsWord(Peek, "by") || IsWord(Peek, "without"))
        {
            without = IsWord(Advance(), "without");
            grouping = ParseLabelList();
        }

        Expect(TokenKind.LeftParen, $"in aggregation \"{op}\", expected \"(\"");
        var args = new List<Expr>();
        if (Peek.Kind != TokenKind.RightParen)
        {
            args.Add(ParseBinary(0));
            while (Peek.Kind == TokenKind.Comma)
            {
                Advance();
                if (Peek.Kind == TokenKind.RightParen)
                {
                    break;
                }

                args.Add(ParseBinary(0));
            }
        }

        var close = Expect(TokenKind.RightParen, $"in aggregation \"{op}\", expected \",\" or \")\"");
        var end = close.End;
        if (IsWord(Peek, "by") || IsWord(Peek, "without"))
        {
            if (grouping is not null)
            {
                throw Error(Peek, "aggregation must only contain one grouping clause");
            }

            without = IsWord(Advance(), "without");
            grouping = ParseLabelList();
            end = _tokens[_i - 1].End;
        }

        var needsParam = op is "topk" or "bottomk" or "quantile" or "count_values" or "limitk" or "limit_ratio";
        var expected = needsParam ? 2 : 1;
        if (args.Count != expected)
        {
            throw new ParseException(_query, opTok.Start, end,
                $"wrong number of arguments for aggregate expression provided, expected {expected}, got {args.Count}");
        }

        var inner = args[^1];
        var agg = new AggregateExpr(op, inner)
        {
            Param = needsParam ? args[0] : null,
            Grouping = grouping ?? [],
            Without = without,
            HasGrouping = grouping is not null,
            Start = opTok.Start,
            End = end,
        };
        if (inner.Type != ValueType.Vector)
        {
            throw Error(inner, $"expected type instant vector in aggregation expression, got {inner.Type.Name()}");
        }

        if (agg.Param is { } param)
        {
            var want = op == "count_values" ? ValueType.String : ValueType.Scalar;
            if (param.Type != want)
            {
                throw Error(param, $"expected type {want.Name()} in aggregation parameter, got {param.Type.Name()}");
            }
        }

        return agg;
    }

    private Call ParseCall(FunctionDef def)
    {
        var nameTok = Advance();
        Expect(TokenKind.LeftParen, "in function call");
        var args = new List<Expr>();
        if (Peek.Kind != TokenKind.RightParen)
        {
            args.Add(ParseBinary(0));
            while (Peek.Kind == TokenKind.Comma)
            {
                Advance();
                args.Add(ParseBinary(0));
            }
        }

        var close = Expect(TokenKind.RightParen, $"in call to function \"{def.Name}\", expected \",\" or \")\"");
        var call = new Call(def, args) { Start = nameTok.Start, End = close.End };
        var n = args.Count;
        var declared = def.ArgTypes.Length;
        if (def.Variadic == 0)
        {
            if (n != declared)
            {
                throw Error(call, $"expected {declared} argument(s) in call to \"{def.Name}\", got {n}");
            }
        }
        else
        {
            var min = declared - 1;
            if (n < min)
            {
                throw Error(call, $"expected at least {min} argument(s) in call to \"{def.Name}\", got {n}");
            }

            if (def.Variadic > 0 && n > min + def.Variadic)
            {
                throw Error(call, $"expected at most {min + def.Variadic} argument(s) in call to \"{def.Name}\", got {n}");
            }
        }

        for (var i = 0; i < n; i++)
        {
            var want = i < declared ? def.ArgTypes[i] : def.ArgTypes[^1];
            if (args[i].Type != want)
            {
                throw Error(args[i], $"expected type {want.Name()} in call to function \"{def.Name}\", got {args[i].Type.Name()}");
            }
        }

        return call;
    }
}
