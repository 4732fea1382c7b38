using PromLake.Query.Model;
using PromLake.Query.PromQL.Engine;
using PromLake.Query.PromQL.Parsing;

namespace PromLake.Query.PromQL.Functions;

/// <summary>What a function sees besides its arguments: the step's time, its call node, and where to report annotations.</summary>
internal sealed class FunctionEnv(Call call, Annotations annotations, bool isRangeQuery)
{
    /// <summary>The top-level query's start, end and step (ms; step 0 for an instant query).</summary>
    public (long Start, long End, long Step) Query { get; init; }

    public Call Call { get; } = call;

    public Annotations Annotations { get; } = annotations;

    public bool IsRangeQuery { get; } = isRangeQuery;

    /// <summary>The evaluation time of the current step, in ms.</summary>
    public long Ts { get; set; }
}

/// <summary>One series' points inside one range window (minT, maxT], for a function over a range vector.</summary>
internal readonly ref struct RangeWindow
{
    public RangeWindow(Labels metric, ReadOnlySpan<FPoint> floats, ReadOnlySpan<HPoint> histograms, long minT, long maxT, long range)
    {
        Metric = metric;
        Floats = floats;
        Histograms = histograms;
        MinT = minT;
        MaxT = maxT;
        Range = range;
    }

    public Labels Metric { get; }

    public ReadOnlySpan<FPoint> Floats { get; }

    public ReadOnlySpan<HPoint> Histograms { get; }

    public long MinT { get; }

    public long MaxT { get; }

    /// <summary>The selector's range in ms.</summary>
    public long Range { get; }
}

/// <summary>A function over a range vector: one series' window in, at most one value out.</summary>
internal delegate bool RangeFunction(in RangeWindow window, ReadOnlySpan<double> scalarArgs, FunctionEnv env, out double value, out FloatHistogram? histogram);

/// <summary>A function over instant vectors and scalars: the arguments' values at one step in, a vector out.</summary>
internal delegate List<Sample> InstantFunction(List<Sample>[] args, FunctionEnv env);
