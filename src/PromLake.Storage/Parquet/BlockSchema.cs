using Parquet.Schema;

namespace PromLake.Storage.Parquet;

/// <summary>
/// The Parquet schema of a PromLake block: one row per series, everything the block
/// holds of that series in the row. See README.md beside this project for the
/// reasoning and the SQL a user runs.
/// <code>
/// metric_name   STRING                                   required, dictionary; row-group min/max prune by it
/// labels        MAP&lt;STRING, STRING&gt;                      all labels but __name__, sorted by name
/// samples       LIST&lt;STRUCT&lt;timestamp INT64,            milliseconds, DELTA_BINARY_PACKED
///                          value DOUBLE NULL,          bit for bit; NULL when the sample is in scaled
///                          scaled INT64 NULL,          value × value_divisor, DELTA_BINARY_PACKED (version 2)
///                          start_timestamp INT64&gt;&gt;    RW 2.0 start (created) timestamp, NULL when unknown
/// value_divisor DOUBLE NULL                              10^k, or 10^k over a common factor, of the row's scaled values (version 2)
/// histograms    LIST&lt;STRUCT&lt;timestamp INT64,
///                          count DOUBLE, sum DOUBLE,  copied out of the message for SQL
///                          message BLOB&gt;&gt;            the RW 2.0 Histogram message as received
/// exemplars     LIST&lt;STRUCT&lt;timestamp INT64, value DOUBLE, labels MAP&lt;STRING, STRING&gt;&gt;&gt;
/// metric_type   STRING NULL                              counter, gauge, histogram, … (metadata)
/// metric_help   STRING NULL
/// metric_unit   STRING NULL
/// </code>
/// Rows are sorted by (metric_name, labels); each list by timestamp. A series is never
/// split across row groups. A sample's value is <c>coalesce(value, scaled / value_divisor)</c>
/// (see <see cref="DecimalScale"/>). Version 1 had a required <c>value</c> and neither
/// <c>scaled</c> nor <c>value_divisor</c>; the reader reads both versions.
/// </summary>
internal sealed class BlockSchema
{
    /// <summary>The file's key-value metadata entry that names the schema version; readers refuse others.</summary>
    public const string VersionKey = "promlake.block";

    public const string CurrentVersion = "2";

    /// <summary>Blocks written before sample values could be scaled integers.</summary>
    public const string UnscaledVersion = "1";

    public BlockSchema(string version = CurrentVersion)
    {
        if (version is not (CurrentVersion or UnscaledVersion))
        {
            throw new InvalidDataException($"not a PromLake block of version {UnscaledVersion} or {CurrentVersion}: metadata {VersionKey} is '{version}'");
        }

        Version = version;
        HasScaledValues = version == CurrentVersion;
        MetricName = new DataField<string>("metric_name", false);
        LabelName = new DataField<string>("key", false);
        LabelValue = new DataField<string>("value", false);
        Labels = new MapField("labels", LabelName, LabelValue);

        SampleTimestamp = new DataField<long>("timestamp", false);
        SampleValue = new DataField<double>("value", HasScaledValues);
        SampleScaled = new DataField<long>("scaled", true);
        SampleStart = new DataField<long>("start_timestamp", true);
        Samples = HasScaledValues
            ? new ListField("samples", new StructField("element", SampleTimestamp, SampleValue, SampleScaled, SampleStart))
            : new ListField("samples", new StructField("element", SampleTimestamp, SampleValue, SampleStart));
        ValueDivisor = new DataField<double>("value_divisor", true);

        HistogramTimestamp = new DataField<long>("timestamp", false);
        HistogramCount = new DataField<double>("count", false);
        HistogramSum = new DataField<double>("sum", false);
        HistogramMessage = new DataField<byte[]>("message", false);
        Histograms = new ListField("histograms", new StructField("element", HistogramTimestamp, HistogramCount, HistogramSum, HistogramMessage));

        ExemplarTimestamp = new DataField<long>("timestamp", false);
        ExemplarValue = new DataField<double>("value", false);
        ExemplarLabelName = new DataField<string>("key", false);
        ExemplarLabelValue = new DataField<string>("value", false);
        Exemplars = new ListField("exemplars", new StructField("element", ExemplarTimestamp, ExemplarValue,
            new MapField("labels", ExemplarLabelName, ExemplarLabelValue)));

        MetricType = new DataField<string>("metric_type", true);
        MetricHelp = new DataField<string>("metric_help", true);
        MetricUnit = new DataField<string>("metric_unit", true);

        Schema = HasScaledValues
            ? new ParquetSchema(MetricName, Labels, Samples, ValueDivisor, Histograms, Exemplars, MetricType, MetricHelp, MetricUnit)
            : new ParquetSchema(MetricName, Labels, Samples, Histograms, Exemplars, MetricType, MetricHelp, MetricUnit);
    }

    /// <summary>The value of <see cref="VersionKey"/> in files of this layout.</summary>
    public string Version { get; }

    /// <summary>Whether samples may be scaled integers (version 2 on) rather than always doubles.</summary>
    public bool HasScaledValues { get; }

    public ParquetSchema Schema { get; }

    public DataField<string> MetricName { get; }
    public MapField Labels { get; }
    public DataField<string> LabelName { get; }
    public DataField<string> LabelValue { get; }

    public ListField Samples { get; }
    public DataField<long> SampleTimestamp { get; }
    public DataField<double> SampleValue { get; }
    public DataField<long> SampleScaled { get; }
    public DataField<long> SampleStart { get; }
    public DataField<double> ValueDivisor { get; }

    public ListField Histograms { get; }
    public DataField<long> HistogramTimestamp { get; }
    public DataField<double> HistogramCount { get; }
    public DataField<double> HistogramSum { get; }
    public DataField<byte[]> HistogramMessage { get; }

    public ListField Exemplars { get; }
    public DataField<long> ExemplarTimestamp { get; }
    public DataField<double> ExemplarValue { get; }
    public DataField<string> ExemplarLabelName { get; }
    public DataField<string> ExemplarLabelValue { get; }

    public DataField<string> MetricType { get; }
    public DataField<string> MetricHelp { get; }
    public DataField<string> MetricUnit { get; }

    /// <summary>The leaves whose row-group statistics bound the block's time range.</summary>
    public IEnumerable<DataField> TimestampFields => [SampleTimestamp, HistogramTimestamp, ExemplarTimestamp];
}
