using PromLake.Storage.Dedup;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// One series of one (tenant, hour) in a flush: its float samples as columns (timestamps,
/// values, start timestamps) in log order, plus its histograms, exemplars and metadata.
/// The column arrays are kept when the flush buffer is cleared and reused by the next
/// flush, so a steady stream of series allocates nothing per sample.
/// </summary>
internal sealed class FlushSeries
{
    // Shared by every series without histograms or exemplars; never added to.
    private static readonly List<HistogramSample> NoHistograms = [];
    private static readonly List<Exemplar> NoExemplars = [];
    private List<HistogramSample>? _histograms;
    private List<Exemplar>? _exemplars;
    private byte[] _metadataHelp = [];
    private byte[] _metadataUnit = [];

    public InternedLabelSet LabelSet { get; private set; } = null!;

    public string Tenant { get; private set; } = "";

    public long Hour { get; private set; }

    /// <summary>Float samples in log order until <see cref="Deduplicate"/> puts them in time order.</summary>
    public SampleColumnBuffer Samples { get; } = new();

    /// <summary>Native histogram samples; the list is made for the series that have any (few do).</summary>
    public List<HistogramSample> Histograms => _histograms ??= [];

    public List<Exemplar> Exemplars => _exemplars ??= [];

    /// <summary>The histograms for a reader that does not add any: no list is made for a series without them.</summary>
    public List<HistogramSample> HistogramsOrEmpty => _histograms ?? NoHistograms;

    public List<Exemplar> ExemplarsOrEmpty => _exemplars ?? NoExemplars;

    public SeriesMetadata? Metadata { get; private set; }

    public void Reset(InternedLabelSet labelSet, string tenant, long hour)
    {
        LabelSet = labelSet;
        Tenant = tenant;
        Hour = hour;
        Samples.Clear();
        _histograms?.Clear();
        _exemplars?.Clear();
        Metadata = null;
    }

    /// <summary>Keeps the last metadata written; strings are built only when it changes.</summary>
    public void SetMetadata(MetricType type, ReadOnlySpan<byte> help, ReadOnlySpan<byte> unit)
    {
        if (Metadata is { } current && current.Type == type && help.SequenceEqual(_metadataHelp) && unit.SequenceEqual(_metadataUnit))
        {
            return;
        }

        _metadataHelp = help.ToArray();
        _metadataUnit = unit.ToArray();
        Metadata = new SeriesMetadata(type, System.Text.Encoding.UTF8.GetString(help), System.Text.Encoding.UTF8.GetString(unit));
    }

    /// <summary>
    /// Exact repeats out, samples and histograms in time order, by <see cref="RepeatDedup"/>'s
    /// rule (the last written of equal timestamps wins). Samples of one flush almost always
    /// arrive in order, which is checked first and costs one pass.
    /// </summary>
    public void Deduplicate()
    {
        if (_histograms is { Count: > 1 })
        {
            RepeatDedup.Apply(_histograms);
        }

        if (_exemplars is { Count: > 1 })
        {
            SortExemplars(_exemplars);
        }

        var timestamps = Samples.Timestamps;
        for (var i = 1; i < timestamps.Length; i++)
        {
            if (timestamps[i] <= timestamps[i - 1])
            {
                DeduplicateOutOfOrder();
                return;
            }
        }
    }

    /// <summary>A copy as the shared series model, for callers that read a flush without writing it (the query path's log tail).</summary>
    public StoredSeries ToStoredSeries()
    {
        var series = new StoredSeries(LabelSet.Template.Labels) { Metadata = Metadata };
        CopySamples(series.Samples);
        series.Histograms.AddRange(HistogramsOrEmpty);
        series.Exemplars.AddRange(ExemplarsOrEmpty);
        return series;
    }

    /// <summary>Exemplars in time order, equal timestamps as written (the block's order); lists are short.</summary>
    private static void SortExemplars(List<Exemplar> exemplars)
    {
        for (var i = 1; i < exemplars.Count; i++)
        {
            var exemplar = exemplars[i];
            var j = i - 1;
            while (j >= 0 && exemplars[j].Timestamp > exemplar.Timestamp)
            {
                exemplars[j + 1] = exemplars[j];
                j--;
            }

            exemplars[j + 1] = exemplar;
        }
    }

    private void DeduplicateOutOfOrder()
    {
        var samples = new List<Sample>(Samples.Count);
        CopySamples(samples);
        RepeatDedup.Apply(samples);
        Samples.Clear();
        foreach (var sample in samples)
        {
            Samples.Append(sample.Timestamp, sample.Value, sample.StartTimestamp);
        }
    }

    private void CopySamples(List<Sample> samples)
    {
        var timestamps = Samples.Timestamps;
        var values = Samples.Values;
        var starts = Samples.Starts;
        for (var i = 0; i < timestamps.Length; i++)
        {
            samples.Add(new Sample(timestamps[i], values[i], starts[i]));
        }
    }
}
