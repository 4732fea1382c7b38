using System.Globalization;
using System.Text.RegularExpressions;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.PromQL.Functions;
using PromLake.Query.PromQL.Parsing;
using PromLake.Query.Storage;

namespace PromLake.Query.Tests.PromQLTest;

/// <summary>The outcome of one eval block.</summary>
public sealed record EvalOutcome(int Line, string Expr, bool Passed, string? Failure);

/// <summary>
/// Runs a promqltest script against our engine over an in-memory store, eval block by eval block.
/// As upstream, each instant eval is also checked with every selector pinned by <c>@</c> to its time
/// (at several evaluation times) and as a range query around its time.
/// </summary>
public sealed class ScriptRunner
{
    private const double Epsilon = 1e-6;

    /// <summary>Functions whose result depends on the evaluation time even when their input does not (Prometheus's AtModifierUnsafeFunctions).</summary>
    private static readonly HashSet<string> AtModifierUnsafeFunctions =
    [
        "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year", "predict_linear", "time", "timestamp", "start", "end", "step", "range",
    ];

    private static readonly Regex QueryContextFunctions = new(@"(start|end|range|step)\(\)");

    private readonly InMemorySeriesStore _store = new();
    private readonly PromQLEngine _engine;

    public ScriptRunner() => _engine = new PromQLEngine(_store, new PromQLEngineOptions());

    public List<EvalOutcome> Run(string script)
    {
        var outcomes = new List<EvalOutcome>();
        foreach (var cmd in TestScript.Parse(script))
        {
            switch (cmd)
            {
                case ClearCommand:
                    _store.Clear();
                    break;
                case LoadCommand load:
                    Load(load);
                    break;
                case EvalCommand eval:
                    string? failure;
                    try
                    {
                        failure = Eval(eval);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        failure = "runner exception: " + ex;
                    }

                    outcomes.Add(new EvalOutcome(eval.Line, eval.Expr, failure is null, failure));
                    break;
            }
        }

        return outcomes;
    }

    private void Load(LoadCommand load)
    {
        foreach (var (metric, values) in load.Series)
        {
            var samples = new List<StoredSample>(values.Count);
            for (var i = 0; i < values.Count; i++)
            {
                var v = values[i];
                if (!v.Omitted)
                {
                    samples.Add(new StoredSample(i * load.IntervalMs, v.Value, v.Histogram));
                }
            }

            Append(metric, samples);
        }

        if (load.WithNhcb)
        {
            foreach (var (labels, samples) in ClassicHistogramConversion.ToNativeHistograms(load))
            {
                Append(labels, samples);
            }
        }
    }

    /// <summary>Stores the samples with the counter reset hints Prometheus's TSDB would read back (see <see cref="TsdbHints"/>).</summary>
    private void Append(Labels metric, List<StoredSample> samples)
    {
        foreach (var s in TsdbHints.AsReadBack(samples))
        {
            _store.Append(metric, s);
        }
    }

    private string? Eval(EvalCommand cmd)
    {
        if (cmd.ParseError is not null)
        {
            return "cannot read the eval block: " + cmd.ParseError;
        }

        if (cmd.IsRange)
        {
            var res = _engine.RangeQueryAsync(cmd.Expr, cmd.Start, cmd.End, cmd.Step).GetAwaiter().GetResult();
            return CheckResult(cmd, res, cmd.Expr, cmd.Start, cmd.Step, cmd.End);
        }

        var queries = new List<(string Expr, long Time)> { (cmd.Expr, cmd.Start) };
        queries.AddRange(AtModifierVariants(cmd.Expr, cmd.Start));
        foreach (var (expr, time) in queries)
        {
            var res = _engine.InstantQueryAsync(expr, time).GetAwaiter().GetResult();
            if (cmd.ExpectedRange is { } er)
            {
                var failure = CheckResult(cmd, res, expr, er.From, er.Step, er.To);
                if (failure is not null)
                {
                    return failure;
                }

                continue;
            }

            var f = CheckResult(cmd, res, expr, time, 0, time);
            if (f is not null)
            {
                return f;
            }

            if (res.Error is not null || cmd.ExpectedString is not null || cmd.Ordered || QueryContextFunctions.IsMatch(expr))
            {
                continue;
            }

            // The same query as a range query must give the same values at the middle step.
            var rangeRes = _engine.RangeQueryAsync(expr, time - 60_000, time + 60_000, 60_000).GetAwaiter().GetResult();
            if (rangeRes.Error is not null)
            {
                return $"range mode of {expr}: error {rangeRes.Error.Message}";
            }

            var mat = ((MatrixValue)rangeRes.Value!).Series;
            var vec = new List<Sample>();
            foreach (var s in mat)
            {
                foreach (var p in s.Floats)
                {
                    if (p.T == time)
                    {
                        vec.Add(new Sample(s.Metric, p.T, p.F));
                    }
                }

                foreach (var p in s.Histograms)
                {
                    if (p.T == time)
                    {
                        vec.Add(new Sample(s.Metric, p.T, 0, p.H));
                    }
                }
            }

            QueryValue asInstant = res.Value is ScalarValue ? new ScalarValue(time, vec.Count > 0 ? vec[0].F : double.NaN) : new VectorValue(vec);
            var rf = CompareValue(cmd, asInstant, time, 0, time);
            if (rf is not null)
            {
                return $"range mode of {expr}: {rf}";
            }
        }

        return null;
    }

    /// <summary>Upstream's extra instant checks: pin every selector (outside an @-subquery) with @ at the eval time, then evaluate at other times.</summary>
    private static IEnumerable<(string, long)> AtModifierVariants(string exprText, long evalTime)
    {
        Expr expr;
        try
        {
            expr = Parser.ParseExpr(exprText);
        }
        catch (ParseException)
        {
            yield break;
        }

        var unsafeFn = false;
        foreach (var (node, path) in AstWalker.Walk(expr))
        {
            if (path.Any(p => p is SubqueryExpr { Timestamp: not null } or SubqueryExpr { Anchor: not AtAnchor.None }))
            {
                continue;
            }

            switch (node)
            {
                case VectorSelector vs when vs.Timestamp is null && vs.Anchor == AtAnchor.None:
                    vs.Timestamp = evalTime;
                    break;
                case SubqueryExpr sq when sq.Timestamp is null && sq.Anchor == AtAnchor.None:
                    sq.Timestamp = evalTime;
                    break;
                case Call c when AtModifierUnsafeFunctions.Contains(c.Func.Name):
                    unsafeFn = true;
                    break;
            }
        }

        if (unsafeFn)
        {
            yield break;
        }

        var text = expr.ToString()!;
        long[] times = evalTime == 0 ? [-1000, 0, 1000] : [-10 * evalTime, 0, evalTime / 5, evalTime, 10 * evalTime];
        foreach (var t in times)
        {
            yield return (text, t);
        }
    }

    private static string? CheckResult(EvalCommand cmd, QueryResult res, string expr, long start, long step, long end)
    {
        var fail = cmd.Expectations.FirstOrDefault(e => e.Kind == ExpectKind.Fail);
        if (res.Error is not null)
        {
            if (fail is null)
            {
                return $"error evaluating {expr}: {res.Error.Message}";
            }

            return fail.Matches(res.Error.Message) ? null : $"expected error matching \"{fail.Message ?? fail.Pattern?.ToString()}\" but got: {res.Error.Message}";
        }

        if (fail is not null)
        {
            return $"expected error evaluating {expr} but got none";
        }

        var annoFailure = CheckAnnotations(cmd, res.Annotations);
        if (annoFailure is not null)
        {
            return annoFailure;
        }

        return CompareValue(cmd, res.Value!, start, step, end);
    }

    private static string? CheckAnnotations(EvalCommand cmd, IReadOnlyList<Annotation> annos)
    {
        var warnings = annos.Where(a => a.Kind == AnnotationKind.Warning).Select(a => a.Message).ToList();
        var infos = annos.Where(a => a.Kind == AnnotationKind.Info).Select(a => a.Message).ToList();
        string? Check(ExpectKind kind, List<string> actual, string what)
        {
            var expected = cmd.Expectations.Where(e => e.Kind == kind).ToList();
            if (expected.Count == 0)
            {
                return null;
            }

            if (actual.Count == 0)
            {
                return $"expected {what} annotations but none were found";
            }

            foreach (var e in expected)
            {
                if (!actual.Any(e.Matches))
                {
                    return $"expected {what} annotation \"{e.Message ?? e.Pattern?.ToString()}\" but found: {string.Join("; ", actual)}";
                }
            }

            foreach (var a in actual)
            {
                if (!expected.Any(e => e.Matches(a)))
                {
                    return $"unexpected {what} annotation \"{a}\"";
                }
            }

            return null;
        }

        var r = Check(ExpectKind.Warn, warnings, "warn") ?? Check(ExpectKind.Info, infos, "info");
        if (r is not null)
        {
            return r;
        }

        if (cmd.Expectations.Any(e => e.Kind == ExpectKind.NoWarn) && warnings.Count > 0)
        {
            return "unexpected warning annotations: " + string.Join("; ", warnings);
        }

        if (cmd.Expectations.Any(e => e.Kind == ExpectKind.NoInfo) && infos.Count > 0)
        {
            return "unexpected info annotations: " + string.Join("; ", infos);
        }

        return null;
    }

    private static string? CompareValue(EvalCommand cmd, QueryValue value, long start, long step, long end)
    {
        switch (value)
        {
            case StringValue s:
                return cmd.ExpectedString == s.V ? null : $"expected string \"{cmd.ExpectedString}\" but got \"{s.V}\"";
            case ScalarValue sc:
                if (cmd.ExpectedScalar is not { } exp)
                {
                    return $"expected vector or matrix result, but got scalar {sc.V}";
                }

                return Almost.Equal(exp, sc.V, Epsilon) ? null : $"expected scalar {exp} but got {sc.V}";
            case VectorValue vec:
                return CompareVector(cmd, vec.Samples);
            case MatrixValue mat:
                return CompareMatrix(cmd, mat.Series, start, step, end);
            default:
                return "unexpected result type";
        }
    }

    private static string? CompareVector(EvalCommand cmd, List<Sample> vec)
    {
        if (cmd.ExpectedScalar is not null)
        {
            return $"expected scalar result, but got vector of {vec.Count}";
        }

        var expected = cmd.Series.ToDictionary(s => s.Metric);
        var seen = new HashSet<Labels>();
        for (var pos = 0; pos < vec.Count; pos++)
        {
            var v = vec[pos];
            if (!expected.TryGetValue(v.Metric, out var exp))
            {
                return $"unexpected metric {v.Metric} in result, has value {(v.H is null ? Fmt(v.F) : v.H.TestExpression())}";
            }

            if (cmd.Ordered && exp.Position != pos + 1)
            {
                return $"expected metric {v.Metric} at position {exp.Position} but was at {pos + 1}";
            }

            var e0 = exp.Values[0];
            if (e0.Histogram is null && v.H is not null)
            {
                return $"expected float value {Fmt(e0.Value)} for {v.Metric} but got histogram {v.H.TestExpression()}";
            }

            if (e0.Histogram is not null)
            {
                if (v.H is null)
                {
                    return $"expected histogram {e0.Histogram.TestExpression()} for {v.Metric} but got float value {Fmt(v.F)}";
                }

                if (!HistogramsMatch(e0.Histogram, v.H))
                {
                    return $"expected {e0.Histogram.TestExpression()} for {v.Metric} but got {v.H.TestExpression()}";
                }
            }
            else if (!Almost.Equal(e0.Value, v.F, Epsilon))
            {
                return $"expected {Fmt(e0.Value)} for {v.Metric} but got {Fmt(v.F)}";
            }

            seen.Add(v.Metric);
        }

        foreach (var e in cmd.Series)
        {
            if (!seen.Contains(e.Metric))
            {
                return $"expected metric {e.Metric} not found";
            }
        }

        return null;
    }

    private static string? CompareMatrix(EvalCommand cmd, List<Series> mat, long start, long step, long end)
    {
        if (cmd.Ordered)
        {
            return "expected ordered result, but query returned a matrix";
        }

        if (cmd.ExpectedScalar is not null)
        {
            return "expected scalar result, but got matrix";
        }

        for (var i = 1; i < mat.Count; i++)
        {
            if (mat[i - 1].Metric.CompareTo(mat[i].Metric) > 0)
            {
                return "matrix results should always be sorted by labels";
            }
        }

        var expected = cmd.Series.ToDictionary(s => s.Metric);
        var seen = new HashSet<Labels>();
        foreach (var s in mat)
        {
            if (!expected.TryGetValue(s.Metric, out var exp))
            {
                return $"unexpected metric {s.Metric} in result, has {Describe(s)}";
            }

            seen.Add(s.Metric);
            var floats = new List<FPoint>();
            var hists = new List<(long T, SequenceValue V)>();
            for (var i = 0; i < exp.Values.Count; i++)
            {
                var t = start + i * step;
                if (t > end)
                {
                    return $"expected {exp.Values.Count} points for {s.Metric}, but query time range cannot return this many points";
                }

                var e = exp.Values[i];
                if (e.Histogram is not null)
                {
                    hists.Add((t, e));
                }
                else if (!e.Omitted)
                {
                    floats.Add(new FPoint(t, e.Value));
                }
            }

            if (floats.Count != s.Floats.Count || hists.Count != s.Histograms.Count)
            {
                return $"expected {floats.Count} float points and {hists.Count} histogram points for {s.Metric}, but got {Describe(s)}";
            }

            for (var i = 0; i < floats.Count; i++)
            {
                var a = s.Floats[i];
                if (a.T != floats[i].T)
                {
                    return $"expected float value at index {i} for {s.Metric} to have timestamp {floats[i].T}, but it had timestamp {a.T} (result has {Describe(s)})";
                }

                if (!Almost.Equal(floats[i].F, a.F, Epsilon))
                {
                    return $"expected float value at index {i} (t={a.T}) for {s.Metric} to be {Fmt(floats[i].F)}, but got {Fmt(a.F)} (result has {Describe(s)})";
                }
            }

            for (var i = 0; i < hists.Count; i++)
            {
                var a = s.Histograms[i];
                if (a.T != hists[i].T || !HistogramsMatch(hists[i].V.Histogram!, a.H))
                {
                    return $"expected histogram at index {i} for {s.Metric} to be {hists[i].V.Histogram!.TestExpression()} at {hists[i].T}, but got {a.H.TestExpression()} at {a.T}";
                }
            }
        }

        foreach (var e in cmd.Series)
        {
            if (!seen.Contains(e.Metric))
            {
                return $"expected metric {e.Metric} not found";
            }
        }

        return null;
    }

    /// <summary>
    /// Upstream's compareNativeHistogram on compacted histograms: schema, zero threshold and custom bounds
    /// exactly, counts and the sum within the tolerance, the populated buckets alike. Counter reset hints are
    /// not compared (upstream does not either).
    /// </summary>
    private static bool HistogramsMatch(FloatHistogram exp, FloatHistogram act)
    {
        if (exp.Schema != act.Schema || !Almost.Equal(exp.Count, act.Count, Epsilon) ||
            !Almost.Equal(exp.Sum, act.Sum, Epsilon) || exp.ZeroThreshold != act.ZeroThreshold ||
            !Almost.Equal(exp.ZeroCount, act.ZeroCount, Epsilon))
        {
            return false;
        }

        if (exp.UsesCustomBuckets && !exp.CustomValues.SequenceEqual(act.CustomValues))
        {
            return false;
        }

        return BucketsMatch(exp.PositiveSpans, exp.PositiveBuckets, act.PositiveSpans, act.PositiveBuckets) &&
               BucketsMatch(exp.NegativeSpans, exp.NegativeBuckets, act.NegativeSpans, act.NegativeBuckets);
    }

    private static bool BucketsMatch(List<BucketSpan> es, List<double> eb, List<BucketSpan> asp, List<double> ab)
    {
        var e = Absolute(es, eb);
        var a = Absolute(asp, ab);
        if (e.Count != a.Count)
        {
            return false;
        }

        foreach (var (idx, v) in e)
        {
            if (!a.TryGetValue(idx, out var av) || !Almost.Equal(v, av, Epsilon))
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<int, double> Absolute(List<BucketSpan> spans, List<double> buckets)
    {
        var result = new Dictionary<int, double>();
        var idx = 0;
        var bi = 0;
        foreach (var span in spans)
        {
            idx += span.Offset;
            for (var j = 0; j < span.Length && bi < buckets.Count; j++, bi++, idx++)
            {
                if (buckets[bi] != 0)
                {
                    result[idx] = buckets[bi];
                }
            }
        }

        return result;
    }

    private static string Describe(Series s) =>
        $"{s.Floats.Count} float points [{string.Join(", ", s.Floats.Select(p => $"{Fmt(p.F)} @[{p.T}]"))}] and {s.Histograms.Count} histogram points";

    private static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
