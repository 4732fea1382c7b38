using PromLake.Storage.Series;

namespace PromLake.Storage.Parquet;

/// <summary>
/// A series' float samples as three columns, in time order: how the level-0 flush holds
/// them (<see cref="Compaction.FlushSeries"/>), handed to the writer without a copy.
/// </summary>
internal readonly record struct SampleColumns(ReadOnlyMemory<long> Timestamps, ReadOnlyMemory<double> Values, ReadOnlyMemory<long> StartTimestamps);

/// <summary>
/// A series' labels but <c>__name__</c> as the writer's label columns take them, names and
/// values in label order, each text one string instance: made once per label set and kept
/// with it from flush to flush (<see cref="Compaction.InternedLabelSet"/>), so a level-0 row
/// hands its labels over as two spans.
/// </summary>
internal sealed class LabelColumns
{
    private LabelColumns(ReadOnlyMemory<char>[] names, ReadOnlyMemory<char>[] values)
    {
        Names = names;
        Values = values;
    }

    public ReadOnlyMemory<char>[] Names { get; }

    public ReadOnlyMemory<char>[] Values { get; }

    /// <summary>The label columns of <paramref name="series"/>, whose label strings must already be one instance per text.</summary>
    public static LabelColumns Of(StoredSeries series)
    {
        var names = new List<ReadOnlyMemory<char>>(series.Labels.Length);
        var values = new List<ReadOnlyMemory<char>>(series.Labels.Length);
        foreach (var label in series.Labels)
        {
            if (label.Name != Label.MetricName)
            {
                names.Add(label.Name.AsMemory());
                values.Add(label.Value.AsMemory());
            }
        }

        return new LabelColumns([.. names], [.. values]);
    }
}

/// <summary>One row of a block: a series with its lists sorted by time.</summary>
internal sealed class BlockRow
{
    // Shared by every row whose samples are columns; never added to.
    private static readonly List<Sample> NoSamples = [];
    private readonly StoredSeries _series;

    public BlockRow(StoredSeries series)
    {
        _series = series;
        SampleList = series.Samples;
        HistogramList = series.Histograms;
        ExemplarList = series.Exemplars;
        Metadata = series.Metadata;
    }

    /// <summary>
    /// A row whose samples and labels are columns already; <paramref name="series"/> gives the
    /// metric name and labels only, and its label strings are one instance per text.
    /// </summary>
    public BlockRow(StoredSeries series, LabelColumns labels, SampleColumns samples, List<HistogramSample> histograms, List<Exemplar> exemplars, SeriesMetadata? metadata)
    {
        _series = series;
        LabelColumns = labels;
        SampleList = NoSamples;
        Columns = samples;
        HistogramList = histograms;
        ExemplarList = exemplars;
        Metadata = metadata;
    }

    public string MetricName => _series.MetricName;
    public Label[] Labels => _series.Labels;
    public List<Sample> SampleList { get; set; }
    public SampleColumns? Columns { get; }

    /// <summary>The labels as columns, for a row made from them; otherwise the writer builds them from <see cref="Labels"/>.</summary>
    public LabelColumns? LabelColumns { get; }
    public List<HistogramSample> HistogramList { get; set; }
    public List<Exemplar> ExemplarList { get; set; }
    public SeriesMetadata? Metadata { get; set; }

    public ReadOnlySpan<Sample> Samples => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(SampleList);
    public ReadOnlySpan<HistogramSample> Histograms => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(HistogramList);
    public ReadOnlySpan<Exemplar> Exemplars => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ExemplarList);

    public int SampleCount => Columns is { } columns ? columns.Timestamps.Length : SampleList.Count;

    /// <summary>How much of a row group the row takes: its list entries, and the row itself.</summary>
    public long Elements => 1L + SampleCount + HistogramList.Count + ExemplarList.Count;
}

/// <summary>Turns the caller's series into a block's rows: sorted, same-label entries merged, lists in time order.</summary>
internal static class BlockRows
{
    public static List<BlockRow> From(IEnumerable<StoredSeries> series)
    {
        var indexed = series.Select(static (s, i) => (Series: s, Index: i)).ToArray();
        foreach (var (s, _) in indexed)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(series));
        }

        // Stable, so that entries of one series merge in the order they were given. Input that
        // is already in order (a merge of sorted blocks) skips the sort.
        var sorted = true;
        for (var i = 1; i < indexed.Length && sorted; i++)
        {
            sorted = SeriesOrder.Instance.Compare(indexed[i - 1].Series, indexed[i].Series) <= 0;
        }

        if (!sorted)
        {
            Array.Sort(indexed, static (a, b) =>
            {
                var c = SeriesOrder.Instance.Compare(a.Series, b.Series);
                return c != 0 ? c : a.Index.CompareTo(b.Index);
            });
        }

        var rows = new List<BlockRow>(indexed.Length);
        for (var i = 0; i < indexed.Length;)
        {
            var first = indexed[i].Series;
            var row = new BlockRow(first);
            var end = i + 1;
            while (end < indexed.Length && SeriesOrder.Instance.Compare(first, indexed[end].Series) == 0)
            {
                end++;
            }

            if (end - i > 1)
            {
                var samples = new List<Sample>();
                var histograms = new List<HistogramSample>();
                var exemplars = new List<Exemplar>();
                for (var j = i; j < end; j++)
                {
                    var part = indexed[j].Series;
                    samples.AddRange(part.Samples);
                    histograms.AddRange(part.Histograms);
                    exemplars.AddRange(part.Exemplars);
                    row.Metadata = part.Metadata ?? row.Metadata;
                }

                row.SampleList = samples;
                row.HistogramList = histograms;
                row.ExemplarList = exemplars;
            }

            row.SampleList = InTimeOrder(row.SampleList, static s => s.Timestamp);
            row.HistogramList = InTimeOrder(row.HistogramList, static h => h.Timestamp);
            row.ExemplarList = InTimeOrder(row.ExemplarList, static e => e.Timestamp);
            rows.Add(row);
            i = end;
        }

        return rows;
    }

    private static List<T> InTimeOrder<T>(List<T> items, Func<T, long> timestamp)
    {
        for (var i = 1; i < items.Count; i++)
        {
            if (timestamp(items[i]) < timestamp(items[i - 1]))
            {
                // OrderBy is stable: equal timestamps keep their order.
                return items.OrderBy(timestamp).ToList();
            }
        }

        return items;
    }
}
