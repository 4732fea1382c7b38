using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Functions;

/// <summary>The functions over instant vectors and scalars, evaluated step by step.</summary>
internal static class InstantFunctions
{
    public static readonly Dictionary<string, InstantFunction> All = Build();

    private static Dictionary<string, InstantFunction> Build()
    {
        var d = new Dictionary<string, InstantFunction>(StringComparer.Ordinal);
        void Simple(string name, Func<double, double> f) => d[name] = (args, env) => MapFloats(args[0], f);

        Simple("abs", Math.Abs);
        Simple("ceil", Math.Ceiling);
        Simple("floor", Math.Floor);
        Simple("exp", Math.Exp);
        Simple("sqrt", Math.Sqrt);
        Simple("ln", Math.Log);
        Simple("log2", Math.Log2);
        Simple("log10", Math.Log10);
        Simple("sgn", v => v < 0 ? -1 : v > 0 ? 1 : v);
        Simple("deg", v => v * 180 / Math.PI);
        Simple("rad", v => v * Math.PI / 180);
        Simple("acos", Math.Acos);
        Simple("acosh", Math.Acosh);
        Simple("asin", Math.Asin);
        Simple("asinh", Math.Asinh);
        Simple("atan", Math.Atan);
        Simple("atanh", Math.Atanh);
        Simple("cos", Math.Cos);
        Simple("cosh", Math.Cosh);
        Simple("sin", Math.Sin);
        Simple("sinh", Math.Sinh);
        Simple("tan", Math.Tan);
        Simple("tanh", Math.Tanh);

        d["round"] = (args, env) =>
        {
            var toNearest = args.Length > 1 && args[1].Count > 0 ? args[1][0].F : 1;
            var inverse = 1.0 / toNearest;
            return MapFloats(args[0], v => Math.Floor(v * inverse + 0.5) / inverse);
        };
        d["clamp"] = (args, env) =>
        {
            var min = args[1][0].F;
            var max = args[2][0].F;
            return max < min ? [] : MapFloats(args[0], v => GoMax(min, GoMin(max, v)));
        };
        d["clamp_max"] = (args, env) =>
        {
            var max = args[1][0].F;
            return MapFloats(args[0], v => GoMin(max, v));
        };
        d["clamp_min"] = (args, env) =>
        {
            var min = args[1][0].F;
            return MapFloats(args[0], v => GoMax(min, v));
        };

        d["time"] = (args, env) => [new Sample(Labels.Empty, env.Ts, env.Ts / 1000.0)];
        d["start"] = (args, env) => [new Sample(Labels.Empty, env.Ts, env.Query.Start / 1000.0)];
        d["end"] = (args, env) => [new Sample(Labels.Empty, env.Ts, env.Query.End / 1000.0)];
        d["step"] = (args, env) => [new Sample(Labels.Empty, env.Ts, env.Query.Step / 1000.0)];
        d["range"] = (args, env) => [new Sample(Labels.Empty, env.Ts, (env.Query.End - env.Query.Start) / 1000.0)];
        d["pi"] = (args, env) => [new Sample(Labels.Empty, env.Ts, Math.PI)];
        d["vector"] = (args, env) => [new Sample(Labels.Empty, env.Ts, args[0][0].F)];
        d["scalar"] = (args, env) =>
        {
            // Only float samples count: one float (besides any histograms) is the scalar.
            var floats = args[0].Where(s => s.H is null).ToList();
            var value = floats.Count == 1 ? floats[0].F : double.NaN;
            return [new Sample(Labels.Empty, env.Ts, value)];
        };
        d["timestamp"] = (args, env) =>
        {
            var outv = new List<Sample>(args[0].Count);
            foreach (var s in args[0])
            {
                outv.Add(new Sample(s.Metric, env.Ts, s.T / 1000.0, null, true));
            }

            return outv;
        };
        d["absent"] = (args, env) =>
            args[0].Count > 0 ? [] : [new Sample(AstWalker.LabelsForAbsent(env.Call.Args[0]), env.Ts, 1)];

        d["sort"] = (args, env) => Sort(args[0], env, descending: false);
        d["sort_desc"] = (args, env) => Sort(args[0], env, descending: true);
        d["sort_by_label"] = (args, env) => SortByLabel(args[0], env, descending: false);
        d["sort_by_label_desc"] = (args, env) => SortByLabel(args[0], env, descending: true);

        Date(d, "day_of_month", t => t.Day);
        Date(d, "day_of_week", t => (int)t.DayOfWeek);
        Date(d, "day_of_year", t => t.DayOfYear);
        Date(d, "days_in_month", t => DateTime.DaysInMonth(t.Year, t.Month));
        Date(d, "hour", t => t.Hour);
        Date(d, "minute", t => t.Minute);
        Date(d, "month", t => t.Month);
        Date(d, "year", t => t.Year);

        d["min_of"] = (args, env) => [new Sample(Labels.Empty, env.Ts, GoMin(args[0][0].F, args[1][0].F))];
        d["max_of"] = (args, env) => [new Sample(Labels.Empty, env.Ts, GoMax(args[0][0].F, args[1][0].F))];
        HistogramFunctions.Register(d);
        return d;
    }

    /// <summary>Go's math.Max: NaN wins, and +0 beats -0.</summary>
    private static double GoMax(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static double GoMin(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b);

    /// <summary>Applies <paramref name="f"/> to each float sample; histogram samples are skipped. The name is dropped.</summary>
    private static List<Sample> MapFloats(List<Sample> vec, Func<double, double> f)
    {
        var outv = new List<Sample>(vec.Count);
        foreach (var s in vec)
        {
            if (s.H is null)
            {
                outv.Add(s with { F = f(s.F), DropName = true });
            }
        }

        return outv;
    }

    private static void Date(Dictionary<string, InstantFunction> d, string name, Func<DateTime, double> f)
    {
        d[name] = (args, env) =>
        {
            if (args.Length == 0)
            {
                return [new Sample(Labels.Empty, env.Ts, f(DateTime.UnixEpoch.AddSeconds(Math.Floor(env.Ts / 1000.0))))];
            }

            var outv = new List<Sample>(args[0].Count);
            foreach (var s in args[0])
            {
                if (s.H is not null)
                {
                    continue;
                }

                outv.Add(s with { F = DateValue(s.F, f), DropName = true });
            }

            return outv;
        };
    }

    private static double DateValue(double seconds, Func<DateTime, double> f)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            return double.NaN;
        }

        var whole = Math.Truncate(seconds);
        try
        {
            return f(DateTime.UnixEpoch.AddSeconds(whole));
        }
        catch (ArgumentOutOfRangeException)
        {
            return double.NaN;
        }
    }

    /// <summary>sort/sort_desc order by value, NaN last either way; stable for equal values.</summary>
    private static List<Sample> Sort(List<Sample> vec, FunctionEnv env, bool descending)
    {
        if (env.IsRangeQuery)
        {
            env.Annotations.SortIneffective();
        }

        var indexed = vec.Where(s => s.H is null).Select((s, i) => (s, i)).ToList();
        indexed.Sort((a, b) =>
        {
            var an = double.IsNaN(a.s.F);
            var bn = double.IsNaN(b.s.F);
            int c;
            if (an || bn)
            {
                c = an == bn ? 0 : an ? 1 : -1;
            }
            else
            {
                c = descending ? b.s.F.CompareTo(a.s.F) : a.s.F.CompareTo(b.s.F);
            }

            return c != 0 ? c : a.i.CompareTo(b.i);
        });
        return indexed.Select(x => x.s).ToList();
    }

    private static List<Sample> SortByLabel(List<Sample> vec, FunctionEnv env, bool descending)
    {
        if (env.IsRangeQuery)
        {
            env.Annotations.SortIneffective();
        }

        var labels = new List<string>();
        for (var i = 1; i < env.Call.Args.Count; i++)
        {
            labels.Add(((StringLiteral)AstWalker.Unwrap(env.Call.Args[i])).Value);
        }

        var sorted = new List<Sample>(vec);
        sorted.Sort((a, b) =>
        {
            foreach (var l in labels)
            {
                var c = NaturalSort.Compare(a.Metric.Get(l), b.Metric.Get(l));
                if (c != 0)
                {
                    return descending ? -c : c;
                }
            }

            var full = a.Metric.CompareTo(b.Metric);
            return descending ? -full : full;
        });
        return sorted;
    }
}

/// <summary>Natural ("version") string order: runs of digits compare by number.</summary>
internal static class NaturalSort
{
    public static int Compare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var si = i;
                var sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsAsciiDigit(b[j]))
                {
                    j++;
                }

                var na = a[si..i].TrimStart('0');
                var nb = b[sj..j].TrimStart('0');
                if (na.Length != nb.Length)
                {
                    return na.Length.CompareTo(nb.Length);
                }

                var c = string.CompareOrdinal(na, nb);
                if (c != 0)
                {
                    return c;
                }

                continue;
            }

            if (a[i] != b[j])
            {
                return a[i].CompareTo(b[j]);
            }

            i++;
            j++;
        }

        return (a.Length - i).CompareTo(b.Length - j);
    }
}
