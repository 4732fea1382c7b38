using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// A series' label set as the log spells it (the symbol numbers of name, value, name, …, in
/// the order of the entry's references, see <see cref="SymbolTable"/>) with its strings, built once. Kept by
/// <see cref="LabelSetCache"/> from flush to flush, so a series that arrives in every event
/// has its strings made once, not once per sample or per event.
/// </summary>
internal sealed class InternedLabelSet
{
    private string? _sortKey;
    private LabelColumns? _labelColumns;

    public InternedLabelSet(uint[] key, ulong hash, StoredSeries template)
    {
        Key = key;
        Hash = hash;
        Template = template;
        Canonical = this;
    }

    /// <summary>The labels' symbol numbers in the order they appeared in the log.</summary>
    public uint[] Key { get; }

    public ulong Hash { get; }

    /// <summary>An empty series with the labels sorted and checked, its metric name and id.</summary>
    public StoredSeries Template { get; }

    /// <summary>
    /// The set in sorted label order: itself, unless the log listed the same labels in another
    /// order, in which case both spellings must land in the same series.
    /// </summary>
    public InternedLabelSet Canonical { get; set; }

    /// <summary>The labels as the block writer's label columns, made on first use.</summary>
    public LabelColumns LabelColumns => _labelColumns ??= LabelColumns.Of(Template);

    /// <summary>The key block order sorts by (<see cref="SeriesSortKey"/>), made on first use.</summary>
    public string SortKey => _sortKey ??= SeriesSortKey.Of(Template);

    /// <summary>The set's place in block order among all sets of its cache (<see cref="LabelSetCache.Rank"/>).</summary>
    public int Rank { get; set; } = -1;

    /// <summary>The next set with the same hash (a collision chain).</summary>
    public InternedLabelSet? Next { get; set; }

    /// <summary>
    /// This set's first series in the flush numbered <see cref="Flush"/>; the series of other
    /// (tenant, hour) pairs in <see cref="OtherSeries"/>. Almost always there is just the one,
    /// found without a lookup.
    /// </summary>
    public FlushSeries? Series { get; set; }

    public List<FlushSeries>? OtherSeries { get; set; }

    public int Flush { get; set; } = -1;
}
