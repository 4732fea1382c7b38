using PromLake.Query.Model;
using PromLake.Query.PromQL.Parsing;
using PromLake.Query.Storage;
using ValueType = PromLake.Query.PromQL.Parsing.ValueType;

namespace PromLake.Query.PromQL.Engine;

/// <summary>
/// Evaluates an expression at the steps <see cref="_start"/>, <see cref="_start"/> + <see cref="_interval"/>, …,
/// <see cref="_end"/>. As Prometheus's evaluator, every instant-vector or scalar expression evaluates to a
/// matrix with one point per step where it has a value; an instant query is a range of one step.
/// </summary>
internal sealed partial class Evaluator
{
    private readonly long _start;
    private readonly long _end;
    private readonly long _interval;
    private readonly Dictionary<VectorSelector, IReadOnlyList<StoredSeries>> _data;
    private readonly Annotations _annos;
    private readonly PromQLEngineOptions _options;
    private readonly long _lookback;
    private readonly bool _isRangeQuery;
    private readonly CancellationToken _ct;
    private readonly SampleBudget _budget;

    /// <summary>The top-level query's start, end and step (0 for instant), for start(), end(), step() and range().</summary>
    internal (long Start, long End, long Step) Query { get; init; }

    public Evaluator(long start, long end, long interval, Dictionary<VectorSelector, IReadOnlyList<StoredSeries>> data,
        Annotations annos, PromQLEngineOptions options, bool isRangeQuery, CancellationToken ct, SampleBudget? budget = null)
    {
        _start = start;
        _end = end;
        _interval = interval;
        _data = data;
        _annos = annos;
        _options = options;
        _lookback = (long)options.LookbackDelta.TotalMilliseconds;
        _isRangeQuery = isRangeQuery;
        _ct = ct;
        _budget = budget ?? new SampleBudget(options.MaxSamples);
    }

    private bool IsInstant => _start == _end;

    private int StepCount => (int)((_end - _start) / _interval) + 1;

    internal Annotations Annotations => _annos;

    internal bool IsRangeQuery => _isRangeQuery;

    private Evaluator Child(long start, long end, long interval) =>
        new(start, end, interval, _data, _annos, _options, _isRangeQuery, _ct, _budget) { Query = Query };

    internal static PromQLException Error(string message) => new(message);

    /// <summary>Evaluates the whole query and shapes the result as Prometheus returns it.</summary>
    public QueryValue EvalTop(Expr expr)
    {
        var v = Eval(expr);
        if (v is StringValue s)
        {
            return s;
        }

        var mat = (List<Series>)v;
        mat = CleanupMetricLabels(mat);
        if (_isRangeQuery)
        {
            mat.Sort(static (a, b) => a.Metric.CompareTo(b.Metric));
            return new MatrixValue(mat);
        }

        switch (expr.Type)
        {
            case ValueType.Vector:
                var vec = new List<Sample>(mat.Count);
                foreach (var series in mat)
                {
                    if (series.Histograms.Count > 0)
                    {
                        vec.Add(new Sample(series.Metric, _start, 0, series.Histograms[0].H));
                    }
                    else
                    {
                        vec.Add(new Sample(series.Metric, _start, series.Floats[0].F));
                    }
                }

                return new VectorValue(vec);
            case ValueType.Scalar:
                return new ScalarValue(_start, mat[0].Floats[0].F);
            default:
                mat.Sort(static (a, b) => a.Metric.CompareTo(b.Metric));
                return new MatrixValue(mat);
        }
    }

    /// <summary>Drops the names marked for removal, then merges series left with the same labels if their points do not collide.</summary>
    private static List<Series> CleanupMetricLabels(List<Series> mat)
    {
        foreach (var s in mat)
        {
            if (s.DropName)
            {
                s.Metric = s.Metric.DropMetricName();
            }
        }

        return MergeSameLabelsets(mat);
    }

    /// <summary>Series with equal labels become one if no two of their points share a timestamp; otherwise the query fails.</summary>
    private static List<Series> MergeSameLabelsets(List<Series> mat)
    {
        var byLabels = new Dictionary<Labels, Series>();
        var merged = new List<Series>(mat.Count);
        foreach (var s in mat)
        {
            if (!byLabels.TryGetValue(s.Metric, out var existing))
            {
                byLabels[s.Metric] = s;
                merged.Add(s);
                continue;
            }

            existing.Floats.AddRange(s.Floats);
            existing.Histograms.AddRange(s.Histograms);
            existing.Floats.Sort(static (a, b) => a.T.CompareTo(b.T));
            existing.Histograms.Sort(static (a, b) => a.T.CompareTo(b.T));
            for (var i = 1; i < existing.Floats.Count; i++)
            {
                if (existing.Floats[i].T == existing.Floats[i - 1].T)
                {
                    throw Error("vector cannot contain metrics with the same labelset");
                }
            }

            for (var i = 1; i < existing.Histograms.Count; i++)
            {
                if (existing.Histograms[i].T == existing.Histograms[i - 1].T)
                {
                    throw Error("vector cannot contain metrics with the same labelset");
                }
            }
        }

        return merged;
    }

    /// <summary>Evaluates to a matrix over the steps (or, for a string literal, a string).</summary>
    private object Eval(Expr expr)
    {
        // MaxSamples (added with the HTTP API, which must refuse queries as Prometheus's query.max-samples
        // does): a node's inputs are held while it computes its output, then only the output is kept.
        // Parentheses and unary operators hand on their operand's result, which is counted already.
        if (expr is ParenExpr or UnaryExpr)
        {
            return EvalNode(expr);
        }

        var heldBefore = _budget.Held;
        var value = EvalNode(expr);
        _budget.Settle(heldBefore, value is List<Series> mat ? SampleBudget.PointsIn(mat) : 0);
        return value;
    }

    private object EvalNode(Expr expr)
    {
        _ct.ThrowIfCancellationRequested();
        if (_end < _start && expr is not StringLiteral)
        {
            return new List<Series>();
        }

        switch (expr)
        {
            case NumberLiteral n:
                return RangeEval(_ => [new Sample(Labels.Empty, 0, n.Value)]);
            case StringLiteral s:
                return new StringValue(_start, s.Value);
            case ParenExpr p:
                return Eval(p.Inner);
            case UnaryExpr u:
                return EvalUnary(u);
            case BinaryExpr b:
                return EvalBinary(b);
            case VectorSelector vs:
                return EvalVectorSelector(vs, recordOriginalTime: false);
            case MatrixSelector ms:
                if (!IsInstant)
                {
                    throw Error("cannot do range evaluation of matrix selector");
                }

                return EvalMatrixSelectorAt(ms, _start);
            case SubqueryExpr sq:
                return EvalSubqueryPoints(sq).Series;
            case Call c:
                return EvalCall(c);
            case AggregateExpr a:
                return EvalAggregation(a);
            default:
                throw Error($"unhandled expression of type {expr.GetType().Name}");
        }
    }

    private List<Series> EvalMatrix(Expr e) => (List<Series>)Eval(e);

    private List<Series> EvalUnary(UnaryExpr u)
    {
        var mat = EvalMatrix(u.Operand);
        if (u.Op != TokenKind.Sub)
        {
            return mat;
        }

        foreach (var s in mat)
        {
            s.DropName = true;
            for (var i = 0; i < s.Floats.Count; i++)
            {
                s.Floats[i] = s.Floats[i] with { F = -s.Floats[i].F };
            }

            for (var i = 0; i < s.Histograms.Count; i++)
            {
                s.Histograms[i] = s.Histograms[i] with { H = s.Histograms[i].H.Copy().Mul(-1) };
            }
        }

        return mat;
    }

    /// <summary>
    /// Evaluates <paramref name="args"/> over all steps, calls <paramref name="fn"/> with their vectors at each
    /// step and joins the outputs into series (Prometheus's rangeEval). Within an instant query the output keeps
    /// the function's order (sort, topk).
    /// </summary>
    private List<Series> RangeEval(Func<RangeEvalStep, List<Sample>> fn, params Expr?[] args)
    {
        var matrixes = new List<Series>?[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is { } e && e.Type != ValueType.String)
            {
                matrixes[i] = EvalMatrix(e);
            }
        }

        var output = new Dictionary<Labels, (Series Series, long LastT)>();
        var order = new List<Series>();
        var step = new RangeEvalStep(args.Length);
        for (var ts = _start; ts <= _end; ts += _interval)
        {
            _ct.ThrowIfCancellationRequested();
            for (var i = 0; i < args.Length; i++)
            {
                step.Vectors[i] = Gather(matrixes[i], ts, step.SeriesIndexes[i]);
            }

            step.Ts = ts;
            var result = fn(step);
            if (IsInstant)
            {
                var mat = new List<Series>(result.Count);
                foreach (var s in result)
                {
                    mat.Add(ToSeries(s, ts));
                }

                return mat;
            }

            foreach (var s in result)
            {
                if (output.TryGetValue(s.Metric, out var entry))
                {
                    if (entry.LastT == ts)
                    {
                        throw Error("vector cannot contain metrics with the same labelset");
                    }

                    AddPoint(entry.Series, ts, s);
                    output[s.Metric] = (entry.Series, ts);
                }
                else
                {
                    var series = ToSeries(s, ts);
                    output[s.Metric] = (series, ts);
                    order.Add(series);
                }
            }
        }

        return order;
    }

    private static Series ToSeries(Sample s, long ts)
    {
        var series = new Series(s.Metric) { DropName = s.DropName };
        AddPoint(series, ts, s);
        return series;
    }

    private static void AddPoint(Series series, long ts, Sample s)
    {
        if (s.H is { } h)
        {
            series.Histograms.Add(new HPoint(ts, h));
        }
        else
        {
            series.Floats.Add(new FPoint(ts, s.F));
        }
    }

    /// <summary>The vector of a matrix at one step (points are in time order, so a binary search finds each).</summary>
    private static List<Sample> Gather(List<Series>? mat, long ts, List<int> seriesIndexes)
    {
        seriesIndexes.Clear();
        var vec = new List<Sample>();
        if (mat is null)
        {
            return vec;
        }

        for (var i = 0; i < mat.Count; i++)
        {
            var s = mat[i];
            var found = false;
            var fi = LowerBound(s.Floats, ts);
            if (fi < s.Floats.Count && s.Floats[fi].T == ts)
            {
                vec.Add(new Sample(s.Metric, ts, s.Floats[fi].F, null, s.DropName));
                found = true;
            }
            else if (s.Histograms.Count > 0)
            {
                var hi = LowerBoundH(s.Histograms, ts);
                if (hi < s.Histograms.Count && s.Histograms[hi].T == ts)
                {
                    vec.Add(new Sample(s.Metric, ts, 0, s.Histograms[hi].H, s.DropName));
                    found = true;
                }
            }

            if (found)
            {
                seriesIndexes.Add(i);
            }
        }

        return vec;
    }

    internal static int LowerBound(List<FPoint> points, long t)
    {
        int lo = 0, hi = points.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (points[mid].T < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    internal static int LowerBoundH(List<HPoint> points, long t)
    {
        int lo = 0, hi = points.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (points[mid].T < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>The inputs of one step of <see cref="Evaluator"/>'s range evaluation.</summary>
internal sealed class RangeEvalStep
{
    public RangeEvalStep(int args)
    {
        Vectors = new List<Sample>[args];
        SeriesIndexes = new List<int>[args];
        for (var i = 0; i < args; i++)
        {
            Vectors[i] = [];
            SeriesIndexes[i] = [];
        }
    }

    public long Ts { get; set; }

    public List<Sample>[] Vectors { get; }

    /// <summary>For each argument, the index in its matrix of each sample of <see cref="Vectors"/>.</summary>
    public List<int>[] SeriesIndexes { get; }
}
