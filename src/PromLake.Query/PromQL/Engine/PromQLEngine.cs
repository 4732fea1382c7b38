using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;
using PromLake.Query.Storage;
using ValueType = PromLake.Query.PromQL.Parsing.ValueType;

namespace PromLake.Query.PromQL.Engine;

/// <summary>Options of the PromQL engine; the defaults are Prometheus's.</summary>
public sealed record PromQLEngineOptions
{
    /// <summary>How far back an instant selector looks for a sample (Prometheus: 5m).</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The resolution of a subquery written without one, e.g. <c>x[1h:]</c> (Prometheus: the global evaluation interval, 1m).</summary>
    public TimeSpan DefaultSubqueryStep { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest number of points a query may hold at once; 0 means no limit.</summary>
    public int MaxSamples { get; init; }
}

/// <summary>An error while evaluating a query (the query parsed): Prometheus's <c>execution</c> errors.</summary>
public sealed class PromQLException(string message) : Exception(message);

/// <summary>The outcome of a query: a value, or an error, and the annotations raised either way.</summary>
public sealed record QueryResult(QueryValue? Value, Exception? Error, IReadOnlyList<Annotation> Annotations);

/// <summary>
/// Evaluates PromQL instant and range queries over an <see cref="ISeriesQuerier"/>, with
/// Prometheus 3.x semantics (delayed <c>__name__</c> removal included).
/// </summary>
public sealed class PromQLEngine(ISeriesQuerier querier, PromQLEngineOptions? options = null)
{
    private readonly PromQLEngineOptions _options = options ?? new PromQLEngineOptions();

    public Task<QueryResult> InstantQueryAsync(string query, long timeMs, CancellationToken cancellationToken = default) =>
        ExecuteAsync(query, timeMs, timeMs, 0, cancellationToken);

    public Task<QueryResult> RangeQueryAsync(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken = default)
    {
        if (stepMs <= 0)
        {
            return Task.FromResult(new QueryResult(null, new PromQLException("zero or negative query resolution step widths are not accepted. Try a positive integer"), []));
        }

        return ExecuteAsync(query, startMs, endMs, stepMs, cancellationToken);
    }

    private async Task<QueryResult> ExecuteAsync(string query, long start, long end, long step, CancellationToken ct)
    {
        var annotations = new Annotations();
        Expr expr;
        try
        {
            expr = Parser.ParseExpr(query);
        }
        catch (ParseException ex)
        {
            return new QueryResult(null, ex, []);
        }

        var isRange = step > 0;
        if (isRange && expr.Type is not (ValueType.Vector or ValueType.Scalar))
        {
            return new QueryResult(null,
                new PromQLException($"invalid expression type \"{expr.Type.Name()}\" for range query, must be Scalar or instant Vector"), []);
        }

        try
        {
            ResolveAtAnchors(expr, start, end);
            HistogramStatsDecoding.Mark(expr);
            var data = await FetchAsync(expr, start, end, ct).ConfigureAwait(false);
            var ev = new Evaluator(start, end, isRange ? step : 1, data, annotations, _options, isRange, ct) { Query = (start, end, step) };
            var value = ev.EvalTop(expr);
            return new QueryResult(value, null, annotations.Items);
        }
        catch (PromQLException ex)
        {
            return new QueryResult(null, ex, annotations.Items);
        }
        catch (OperationCanceledException ex)
        {
            return new QueryResult(null, ex, annotations.Items);
        }
    }

    /// <summary>Turns <c>@ start()</c> and <c>@ end()</c> into timestamps of this query.</summary>
    private static void ResolveAtAnchors(Expr expr, long start, long end)
    {
        foreach (var (node, _) in AstWalker.Walk(expr))
        {
            if (node is ITimeModified tm && tm.Anchor != AtAnchor.None)
            {
                tm.Timestamp = tm.Anchor == AtAnchor.Start ? start : end;
            }
        }
    }

    /// <summary>Reads every selector's series once, for the widest time range its evaluation needs.</summary>
    private async Task<Dictionary<VectorSelector, IReadOnlyList<StoredSeries>>> FetchAsync(Expr expr, long start, long end, CancellationToken ct)
    {
        var data = new Dictionary<VectorSelector, IReadOnlyList<StoredSeries>>(ReferenceEqualityComparer.Instance);
        var lookback = (long)_options.LookbackDelta.TotalMilliseconds;
        foreach (var (node, path) in AstWalker.Walk(expr))
        {
            if (node is not VectorSelector vs || data.ContainsKey(vs))
            {
                continue;
            }

            long evalRange = path.Count > 0 && path[^1] is MatrixSelector ms ? ms.Range : 0;
            var (minT, maxT) = SelectorTimeRange(vs, path, start, end, evalRange, lookback);
            data[vs] = await querier.SelectAsync(new SelectRequest(vs.Matchers, minT, maxT), ct).ConfigureAwait(false);
        }

        return data;
    }

    /// <summary>As Prometheus's getTimeRangesForSelector: subqueries and @ on the path widen or pin the range.</summary>
    internal static (long MinT, long MaxT) SelectorTimeRange(VectorSelector vs, IReadOnlyList<Expr> path, long start, long end, long evalRange, long lookback)
    {
        long subqOffset = 0, subqRange = 0;
        long? subqTs = null;
        foreach (var n in path)
        {
            if (n is SubqueryExpr sq)
            {
                subqOffset += sq.OriginalOffset;
                subqRange += sq.Range;
                if (sq.Timestamp is { } t)
                {
                    subqOffset = sq.OriginalOffset;
                    subqRange = sq.Range;
                    subqTs = t;
                }
            }
        }

        if (subqTs is { } st)
        {
            start = st;
            end = st;
        }

        if (vs.Timestamp is { } ts)
        {
            start = ts;
            end = ts;
        }
        else
        {
            start = start - subqOffset - subqRange;
            end -= subqOffset;
        }

        start -= evalRange == 0 ? lookback - 1 : evalRange - 1;
        start -= vs.OriginalOffset;
        end -= vs.OriginalOffset;
        return (start, end);
    }
}

/// <summary>Depth-first walk over the syntax tree, giving each node with the path of its ancestors.</summary>
public static class AstWalker
{
    public static IEnumerable<(Expr Node, IReadOnlyList<Expr> Path)> Walk(Expr root)
    {
        var path = new List<Expr>();
        return WalkInner(root, path);
    }

    private static IEnumerable<(Expr, IReadOnlyList<Expr>)> WalkInner(Expr node, List<Expr> path)
    {
        yield return (node, path.ToArray());
        path.Add(node);
        foreach (var child in Children(node))
        {
            foreach (var item in WalkInner(child, path))
            {
                yield return item;
            }
        }

        path.RemoveAt(path.Count - 1);
    }

    public static IEnumerable<Expr> Children(Expr node)
    {
        switch (node)
        {
            case ParenExpr p:
                yield return p.Inner;
                break;
            case UnaryExpr u:
                yield return u.Operand;
                break;
            case BinaryExpr b:
                yield return b.Lhs;
                yield return b.Rhs;
                break;
            case MatrixSelector m:
                yield return m.Selector;
                break;
            case SubqueryExpr s:
                yield return s.Inner;
                break;
            case Call c:
                foreach (var a in c.Args)
                {
                    yield return a;
                }

                break;
            case AggregateExpr a:
                if (a.Param is not null)
                {
                    yield return a.Param;
                }

                yield return a.Inner;
                break;
        }
    }

    /// <summary>Removes any number of enclosing parentheses.</summary>
    public static Expr Unwrap(Expr e)
    {
        while (e is ParenExpr p)
        {
            e = p.Inner;
        }

        return e;
    }

    /// <summary>Labels pinned by equality matchers (for absent()), as Prometheus's createLabelsForAbsentFunction.</summary>
    internal static Labels LabelsForAbsent(Expr arg)
    {
        arg = Unwrap(arg);
        var vs = arg switch
        {
            VectorSelector v => v,
            MatrixSelector m => m.Selector,
            _ => null,
        };
        if (vs is null)
        {
            return Labels.Empty;
        }

        var b = new LabelsBuilder(Labels.Empty);
        var has = new HashSet<string>();
        foreach (var m in vs.Matchers)
        {
            if (m.Name == Labels.MetricName)
            {
                continue;
            }

            if (m.Type == MatcherType.Equal && has.Add(m.Name))
            {
                b.Set(m.Name, m.Value);
            }
            else
            {
                b.Del(m.Name);
            }
        }

        return b.Build();
    }
}
