using System.Text;
using System.Text.RegularExpressions;
using PromLake.Query.Model;
using PromLake.Query.PromQL.Functions;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Engine;

internal sealed partial class Evaluator
{
    private List<Series> EvalCall(Call c)
    {
        var name = c.Func.Name;
        var env = new FunctionEnv(c, _annos, _isRangeQuery) { Query = Query };
        if (name == "timestamp" && AstWalker.Unwrap(c.Args[0]) is VectorSelector tsSelector)
        {
            // The sample's own time, not the step's: selected specially, as Prometheus does.
            var mat = EvalVectorSelector(tsSelector, recordOriginalTime: true);
            foreach (var s in mat)
            {
                s.DropName = true;
            }

            return mat;
        }

        switch (name)
        {
            case "label_replace":
                return EvalLabelReplace(c);
            case "label_join":
                return EvalLabelJoin(c);
        }

        var matrixArg = -1;
        for (var i = 0; i < c.Args.Count; i++)
        {
            if (AstWalker.Unwrap(c.Args[i]) is MatrixSelector or SubqueryExpr)
            {
                matrixArg = i;
                break;
            }
        }

        if (matrixArg < 0)
        {
            if (!InstantFunctions.All.TryGetValue(name, out var fn))
            {
                throw Error($"function \"{name}\" is not supported yet");
            }

            var args = c.Args.Select(a => (Expr?)a).ToArray();
            return RangeEval(step =>
            {
                env.Ts = step.Ts;
                return fn(step.Vectors, env);
            }, args);
        }

        return EvalRangeFunction(c, matrixArg, env);
    }

    private List<Series> EvalRangeFunction(Call c, int matrixArg, FunctionEnv env)
    {
        var name = c.Func.Name;
        RangeFunction? fn = null;
        if (name != "absent_over_time" && !RangeFunctions.All.TryGetValue(name, out fn))
        {
            throw Error($"function \"{name}\" is not supported yet");
        }

        // The other arguments are scalars: one value per step.
        var scalarArgs = new List<double[]>();
        for (var i = 0; i < c.Args.Count; i++)
        {
            if (i != matrixArg)
            {
                scalarArgs.Add(EvalScalarParam(c.Args[i]));
            }
        }

        var source = EvalRangeSource(c.Args[matrixArg]);
        var dropName = name is not ("last_over_time" or "first_over_time");
        var outputs = new Series[source.Series.Count];
        if (fn is not null && ParallelSafe(name, scalarArgs.Count, source.Series))
        {
            // Series are independent and these functions raise no annotation over floats, so the
            // series are shared out among the cores; each worker has its own step state.
            Parallel.For(0, outputs.Length, new ParallelOptions { CancellationToken = _ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
                () => new FunctionEnv(c, _annos, _isRangeQuery) { Query = Query },
                (i, _, workerEnv) =>
                {
                    outputs[i] = EvalRangeFunctionSeries(source.Series[i], source, fn, scalarArgs, [], workerEnv, dropName);
                    return workerEnv;
                },
                static _ => { });
        }
        else
        {
            var argValues = new double[scalarArgs.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                outputs[i] = EvalRangeFunctionSeries(source.Series[i], source, fn, scalarArgs, argValues, env, dropName);
            }
        }

        var result = new List<Series>(outputs.Length);
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = outputs[i];
            if (output.PointCount > 0)
            {
                result.Add(output);
            }

            if (name is "rate" or "increase" && output.Floats.Count > 0)
            {
                var metricName = source.Series[i].Metric.MetricNameOrEmpty;
                if (metricName.Length > 0 && !metricName.EndsWith("_total", StringComparison.Ordinal) &&
                    !metricName.EndsWith("_sum", StringComparison.Ordinal) && !metricName.EndsWith("_count", StringComparison.Ordinal) &&
                    !metricName.EndsWith("_bucket", StringComparison.Ordinal))
                {
                    _annos.PossibleNonCounter(metricName);
                }
            }
        }

        if (name == "absent_over_time")
        {
            return AbsentOverTime(c, result);
        }

        return result;
    }

    /// <summary>
    /// Whether a range function may run over its series in parallel: rate, increase and delta over
    /// float samples only (they read neither the step's time nor scalar arguments, and raise
    /// annotations only for histograms), with enough series to be worth it.
    /// </summary>
    private static bool ParallelSafe(string name, int scalarArgs, List<Series> series)
    {
        if (name is not ("rate" or "increase" or "delta") || scalarArgs > 0 || series.Count < 256 || Environment.ProcessorCount < 2)
        {
            return false;
        }

        foreach (var s in series)
        {
            if (s.Histograms.Count > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One series' function values at every step; <paramref name="fn"/> null is absent_over_time's presence test.</summary>
    private Series EvalRangeFunctionSeries(Series input, RangeSource source, RangeFunction? fn, List<double[]> scalarArgs, double[] argValues,
        FunctionEnv env, bool dropName)
    {
        // Floats in give floats out: at most one a step, and (without an @) no more than the steps
        // whose windows hold a float. Sized up front, the list is not regrown and copied as it fills.
        var capacity = (int)Math.Min(StepCount, input.Floats.Count * (source.Range / _interval + 1));
        var output = new Series(input.Metric) { DropName = dropName || input.DropName, Floats = new List<FPoint>(capacity) };
        var stepIndex = 0;

        // Windows only move forward as the steps do (an @ pins them), so each edge is an
        // index that advances over the points once, instead of two binary searches a step.
        var allFloats = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(input.Floats);
        var allHists = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(input.Histograms);
        int floatsFrom = 0, floatsTo = 0, histsFrom = 0, histsTo = 0;
        for (var ts = _start; ts <= _end; ts += _interval, stepIndex++)
        {
            var (mint, maxt) = source.Window(ts);
            floatsFrom = RangeSource.AdvancePast(allFloats, floatsFrom, mint);
            floatsTo = RangeSource.AdvancePast(allFloats, Math.Max(floatsTo, floatsFrom), maxt);
            histsFrom = RangeSource.AdvancePastH(allHists, histsFrom, mint);
            histsTo = RangeSource.AdvancePastH(allHists, Math.Max(histsTo, histsFrom), maxt);
            var floats = allFloats[floatsFrom..floatsTo];
            var hists = allHists[histsFrom..histsTo];
            if (floats.Length + hists.Length == 0)
            {
                continue;
            }

            if (fn is null)
            {
                output.Floats.Add(new FPoint(ts, 1));
                continue;
            }

            for (var j = 0; j < scalarArgs.Count; j++)
            {
                argValues[j] = scalarArgs[j][stepIndex];
            }

            env.Ts = ts;
            var window = new RangeWindow(input.Metric, floats, hists, mint, maxt, source.Range);
            if (fn(window, argValues, env, out var value, out var h))
            {
                if (h is not null)
                {
                    output.Histograms.Add(new HPoint(ts, h));
                }
                else
                {
                    output.Floats.Add(new FPoint(ts, value));
                }
            }
        }

        return output;
    }

    /// <summary>1 at every step where no selected series has a point in the window, with the labels the selector pins.</summary>
    private List<Series> AbsentOverTime(Call c, List<Series> present)
    {
        var found = new HashSet<long>();
        foreach (var s in present)
        {
            foreach (var p in s.Floats)
            {
                found.Add(p.T);
            }

            foreach (var p in s.Histograms)
            {
                found.Add(p.T);
            }
        }

        var output = new Series(AstWalker.LabelsForAbsent(c.Args[0])) { DropName = true };
        for (var ts = _start; ts <= _end; ts += _interval)
        {
            if (!found.Contains(ts))
            {
                output.Floats.Add(new FPoint(ts, 1));
            }
        }

        return output.PointCount > 0 ? [output] : [];
    }

    private static string StringArg(Call c, int i) => ((StringLiteral)AstWalker.Unwrap(c.Args[i])).Value;

    private List<Series> EvalLabelReplace(Call c)
    {
        var dst = StringArg(c, 1);
        var replacement = StringArg(c, 2);
        var src = StringArg(c, 3);
        var pattern = StringArg(c, 4);
        Regex regex;
        try
        {
            regex = LabelMatcher.CompileAnchored(pattern);
        }
        catch (ArgumentException ex)
        {
            throw Error($"invalid regular expression in label_replace(): {pattern} ({ex.InnerException?.Message ?? ex.Message})");
        }

        if (!Labels.IsValidLabelName(dst))
        {
            throw Error($"invalid destination label name in label_replace(): {dst}");
        }

        var mat = EvalMatrix(c.Args[0]);
        foreach (var s in mat)
        {
            var m = regex.Match(s.Metric.Get(src));
            if (!m.Success)
            {
                continue;
            }

            var value = ExpandTemplate(replacement, m, regex);
            s.Metric = new LabelsBuilder(s.Metric).Set(dst, value).Build();
            if (dst == Labels.MetricName)
            {
                s.DropName = false;
            }
        }

        return MergeSameLabelsets(mat);
    }

    private List<Series> EvalLabelJoin(Call c)
    {
        var dst = StringArg(c, 1);
        var sep = StringArg(c, 2);
        var srcs = new List<string>();
        for (var i = 3; i < c.Args.Count; i++)
        {
            var src = StringArg(c, i);
            if (!Labels.IsValidLabelName(src))
            {
                throw Error($"invalid source label name in label_join(): {src}");
            }

            srcs.Add(src);
        }

        if (!Labels.IsValidLabelName(dst))
        {
            throw Error($"invalid destination label name in label_join(): {dst}");
        }

        var mat = EvalMatrix(c.Args[0]);
        foreach (var s in mat)
        {
            var value = string.Join(sep, srcs.Select(l => s.Metric.Get(l)));
            s.Metric = new LabelsBuilder(s.Metric).Set(dst, value).Build();
            if (dst == Labels.MetricName)
            {
                s.DropName = false;
            }
        }

        return MergeSameLabelsets(mat);
    }

    /// <summary>
    /// Expands <c>$1</c>, <c>${1}</c>, <c>$name</c>, <c>${name}</c> and <c>$$</c> as Go's Regexp.Expand:
    /// <c>$name</c> takes the longest run of letters, digits and underscores; an unknown group is empty.
    /// </summary>
    internal static string ExpandTemplate(string template, Match m, Regex regex)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var ch = template[i];
            if (ch != '$' || i + 1 >= template.Length)
            {
                sb.Append(ch);
                continue;
            }

            var next = template[i + 1];
            if (next == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            string name;
            int end;
            if (next == '{')
            {
                var close = template.IndexOf('}', i + 2);
                if (close < 0)
                {
                    sb.Append(ch);
                    continue;
                }

                name = template[(i + 2)..close];
                end = close;
                if (name.Length == 0 || !name.All(x => char.IsAsciiLetterOrDigit(x) || x == '_'))
                {
                    sb.Append(ch);
                    continue;
                }
            }
            else
            {
                var j = i + 1;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_'))
                {
                    j++;
                }

                if (j == i + 1)
                {
                    sb.Append(ch);
                    continue;
                }

                name = template[(i + 1)..j];
                end = j - 1;
            }

            if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var num))
            {
                if (num < m.Groups.Count && regex.GetGroupNumbers().Contains(num) && m.Groups[num].Success)
                {
                    sb.Append(m.Groups[num].Value);
                }
            }
            else if (regex.GroupNumberFromName(name) >= 0 && m.Groups[name].Success)
            {
                sb.Append(m.Groups[name].Value);
            }

            i = end;
        }

        return sb.ToString();
    }
}
