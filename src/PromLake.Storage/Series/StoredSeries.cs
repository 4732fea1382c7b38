namespace PromLake.Storage.Series;

/// <summary>
/// One series and what a block holds of it: float samples, native histogram
/// samples, exemplars and metadata. The compactor fills these from log events
/// (see <see cref="SeriesBatchBuilder"/>); the block writers store them and the
/// block readers give them back.
/// </summary>
public sealed class StoredSeries
{
    /// <summary>Creates a series; <paramref name="labels"/> may come in any order and must not repeat a name.</summary>
    public StoredSeries(IEnumerable<Label> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var sorted = labels.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Name == sorted[i - 1].Name)
            {
                throw new ArgumentException($"label {sorted[i].Name} appears twice in {{{string.Join(", ", sorted)}}}", nameof(labels));
            }
        }

        Labels = sorted;
        MetricName = "";
        foreach (var label in sorted)
        {
            if (label.Name == Label.MetricName)
            {
                MetricName = label.Value;
                break;
            }
        }

        Id = SeriesId.Of(sorted);
    }

    /// <summary>All labels, <c>__name__</c> included, sorted by name in ordinal order (Prometheus's order).</summary>
    public Label[] Labels { get; }

    /// <summary>The value of <c>__name__</c>, or "" for a series without one.</summary>
    public string MetricName { get; }

    /// <summary>Prometheus's <c>labels.Hash()</c> of <see cref="Labels"/>: xxHash64 of name 0xff value 0xff ….</summary>
    public ulong Id { get; }

    /// <summary>Float samples; the writers store them ordered by timestamp, equal timestamps in the order given.</summary>
    public List<Sample> Samples { get; } = [];

    public List<HistogramSample> Histograms { get; } = [];

    public List<Exemplar> Exemplars { get; } = [];

    public SeriesMetadata? Metadata { get; set; }

    public override string ToString() => "{" + string.Join(", ", Labels) + "}";
}
