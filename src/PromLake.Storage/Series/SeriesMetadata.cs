namespace PromLake.Storage.Series;

/// <summary>The metric type, as RW 2.0 <c>Metadata.MetricType</c> numbers it.</summary>
public enum MetricType
{
    Unspecified = 0,
    Counter = 1,
    Gauge = 2,
    Histogram = 3,
    GaugeHistogram = 4,
    Summary = 5,
    Info = 6,
    StateSet = 7,
}

/// <summary>A series' metadata: what the exposition's TYPE, HELP and UNIT lines said.</summary>
public sealed record SeriesMetadata(MetricType Type, string Help, string Unit)
{
    /// <summary>The name stored in Parquet and shown to SQL users: Prometheus's own lower-case spelling.</summary>
    public static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        MetricType.GaugeHistogram => "gaugehistogram",
        MetricType.Summary => "summary",
        MetricType.Info => "info",
        MetricType.StateSet => "stateset",
        _ => "unknown",
    };

    public static MetricType ParseTypeName(string name) => name switch
    {
        "counter" => MetricType.Counter,
        "gauge" => MetricType.Gauge,
        "histogram" => MetricType.Histogram,
        "gaugehistogram" => MetricType.GaugeHistogram,
        "summary" => MetricType.Summary,
        "info" => MetricType.Info,
        "stateset" => MetricType.StateSet,
        _ => MetricType.Unspecified,
    };
}
