namespace PromLake.LoadGenerator;

/// <summary>Whether a metric family counts up or goes up and down; sent as metadata in RW 2.0.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
}

/// <summary>A label pair as Prometheus sends it.</summary>
internal readonly record struct SeriesLabel(string Name, string Value);

/// <summary>One time series a target exposes: its identity (sorted labels), its family's metadata and how its value moves.</summary>
internal sealed class SeriesDefinition
{
    public SeriesDefinition(SimulatedTarget target, string metricName, MetricKind kind, string help, ValueModel value, SeriesLabel[] labels)
    {
        Target = target;
        MetricName = metricName;
        Kind = kind;
        Help = help;
        Value = value;
        Labels = labels;
    }

    public SimulatedTarget Target { get; }
    public string MetricName { get; }
    public MetricKind Kind { get; }
    public string Help { get; }
    public ValueModel Value { get; }

    /// <summary>All labels including __name__, sorted by name in ordinal order, which is how Prometheus sends them
    /// (so __name__ comes first: '_' sorts before the lower-case letters node_exporter's labels start with).</summary>
    public SeriesLabel[] Labels { get; }

    /// <summary>Position among the target's series, i.e. scrape order; bodies list series in this order per target.</summary>
    public int OrdinalInTarget { get; init; }

    public ulong Fingerprint { get; init; }
}
