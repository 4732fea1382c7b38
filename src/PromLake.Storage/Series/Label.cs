namespace PromLake.Storage.Series;

/// <summary>One label of a series, exemplar or metadata entry.</summary>
public readonly record struct Label(string Name, string Value)
{
    /// <summary>The label that holds a series' metric name.</summary>
    public const string MetricName = "__name__";

    public override string ToString() => $"{Name}=\"{Value}\"";
}
