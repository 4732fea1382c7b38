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
    private byte[] _metadataHelp = [];
    private byte[] _metadataUnit = [];

    public InternedLabelSet LabelSet { get; private set; } = null!;

    public string Tenant { get; private set; } = "";

    public long Hour { get; private set; }

    /// <summary>Float samples in log order until <see cref="Deduplicate"/> puts them in time order.</summary>
    public SampleColumnBuffer Samples { get; } = new();

    public List<HistogramSample> Histograms { get; } = [];

    public List<Exemplar> Exemplars { get; } = [];

    public SeriesMetadata? Metadata { get; private set; }

    public void Reset(InternedLabelSet labelSet, string tenant, long hour)
    {
        LabelSet = labelSet;
        Tenant = tenant;
        Hour = hour;
        Samples.Clear();
        Histograms.Clear();
        Exemplars.Clear();
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
        RepeatDedup.Apply(Histograms);
        SortExemplars();
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
        series.Histograms.AddRange(Histograms);
        series.Exemplars.AddRange(Exemplars);
        return series;
    }

    /// <summary>Exemplars in time order, equal timestamps as written (the block's order); lists are short.</summary>
    private void SortExemplars()
    {
        for (var i = 1; i < Exemplars.Count; i++)
        {
            var exemplar = Exemplars[i];
            var j = i - 1;
            while (j >= 0 && Exemplars[j].Timestamp > exemplar.Timestamp)
            {
                Exemplars[j + 1] = Exemplars[j];
                j--;
            }

            Exemplars[j + 1] = exemplar;
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
