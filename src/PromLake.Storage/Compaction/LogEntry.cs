using PromLake.Protocol.RemoteWrite;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// One <c>TimeSeries</c> entry of a log event as <see cref="IngestEventDecoder"/> hands it
/// over: label references into the event's symbol table and the entry's samples as columns.
/// One instance is reused for every entry of every event, so decoding allocates nothing
/// per sample; histograms and exemplars, which are rare, are materialised as they come.
/// </summary>
internal sealed class LogEntry
{
    /// <summary>The entry's <c>labels_refs</c>: name and value references in pairs.</summary>
    public List<uint> LabelRefs { get; } = new(64);

    /// <summary>The entry's float samples, in the order written.</summary>
    public SampleColumnBuffer Samples { get; } = new();

    public List<HistogramSample> Histograms { get; } = [];

    public List<Exemplar> Exemplars { get; } = [];

    public bool HasMetadata { get; set; }

    public MetricType MetadataType { get; set; }

    public Utf8Ref MetadataHelp { get; set; }

    public Utf8Ref MetadataUnit { get; set; }

    public bool IsEmpty => Samples.Count == 0 && Histograms.Count == 0 && Exemplars.Count == 0 && !HasMetadata;

    public void Clear()
    {
        LabelRefs.Clear();
        Samples.Clear();
        Histograms.Clear();
        Exemplars.Clear();
        HasMetadata = false;
        MetadataType = MetricType.Unspecified;
        MetadataHelp = Utf8Ref.Empty;
        MetadataUnit = Utf8Ref.Empty;
    }
}
