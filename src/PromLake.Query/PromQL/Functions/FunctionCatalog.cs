using PromLake.Query.PromQL.Parsing;
using ValueType = PromLake.Query.PromQL.Parsing.ValueType;

namespace PromLake.Query.PromQL.Functions;

/// <summary>
/// A PromQL function's signature. <see cref="Variadic"/>: 0 = exactly the listed arguments,
/// n &gt; 0 = the last argument may be left out or given up to n times in all, -1 = repeated any number of times.
/// </summary>
public sealed record FunctionDef(string Name, ValueType[] ArgTypes, int Variadic, ValueType ReturnType, bool Experimental = false);

/// <summary>Every function PromQL knows, by name (case-sensitive, as Prometheus).</summary>
public static class FunctionCatalog
{
    private static readonly ValueType S = ValueType.Scalar;
    private static readonly ValueType V = ValueType.Vector;
    private static readonly ValueType M = ValueType.Matrix;
    private static readonly ValueType Str = ValueType.String;

    private static readonly Dictionary<string, FunctionDef> All = Build();

    public static bool TryGet(string name, out FunctionDef def) => All.TryGetValue(name, out def!);

    public static IEnumerable<FunctionDef> Functions => All.Values;

    private static Dictionary<string, FunctionDef> Build()
    {
        var list = new List<FunctionDef>();
        void Add(string name, ValueType[] args, ValueType ret, int variadic = 0, bool experimental = false) =>
            list.Add(new FunctionDef(name, args, variadic, ret, experimental));

        foreach (var n in new[]
                 {
                     "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad",
                     "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
                     "timestamp", "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar",
                 })
        {
            Add(n, [V], V);
        }

        Add("absent", [V], V);
        Add("sort", [V], V);
        Add("sort_desc", [V], V);
        Add("sort_by_label", [V, Str], V, -1, true);
        Add("sort_by_label_desc", [V, Str], V, -1, true);
        Add("scalar", [V], S);
        Add("vector", [S], V);
        Add("time", [], S);
        Add("pi", [], S);
        Add("clamp", [V, S, S], V);
        Add("clamp_max", [V, S], V);
        Add("clamp_min", [V, S], V);
        Add("round", [V, S], V, 1);
        foreach (var n in new[] { "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year" })
        {
            Add(n, [V], V, 1);
        }

        foreach (var n in new[]
                 {
                     "rate", "increase", "delta", "irate", "idelta", "deriv", "changes", "resets",
                     "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                     "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time",
                 })
        {
            Add(n, [M], V);
        }

        foreach (var n in new[] { "mad_over_time", "first_over_time", "ts_of_min_over_time", "ts_of_max_over_time", "ts_of_last_over_time", "ts_of_first_over_time" })
        {
            Add(n, [M], V, 0, true);
        }

        Add("quantile_over_time", [S, M], V);
        Add("predict_linear", [M, S], V);
        Add("double_exponential_smoothing", [M, S, S], V, 0, true);
        Add("holt_winters", [M, S, S], V);
        Add("histogram_quantile", [S, V], V);
        Add("histogram_fraction", [S, S, V], V);
        Add("histogram_quantiles", [V, Str, S, S], V, -1, true);
        Add("label_replace", [V, Str, Str, Str, Str], V);
        Add("label_join", [V, Str, Str, Str], V, -1);
        Add("info", [V, V], V, 1, true);
        Add("min_of", [S, S], S, 0, true);
        Add("max_of", [S, S], S, 0, true);

        // The query's own parameters (experimental, from duration expressions), in seconds.
        Add("start", [], S, 0, true);
        Add("end", [], S, 0, true);
        Add("step", [], S, 0, true);
        Add("range", [], S, 0, true);
        return list.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }
}
