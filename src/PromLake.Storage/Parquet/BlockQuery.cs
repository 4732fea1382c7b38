using PromLake.Storage.Series;

namespace PromLake.Storage.Parquet;

/// <summary>
/// What to read from a block: one metric name or all, and an inclusive time range. With a
/// time range, series that have nothing in it (metadata-only series included) are left out.
/// </summary>
public sealed record BlockQuery
{
    public static BlockQuery All { get; } = new();

    /// <summary>Only series with this metric name; null for every series.</summary>
    public string? MetricName { get; init; }

    /// <summary>Earliest timestamp to return, in milliseconds, inclusive.</summary>
    public long MinTimestamp { get; init; } = long.MinValue;

    /// <summary>Latest timestamp to return, in milliseconds, inclusive.</summary>
    public long MaxTimestamp { get; init; } = long.MaxValue;

    internal bool HasTimeRange => MinTimestamp != long.MinValue || MaxTimestamp != long.MaxValue;

    internal bool Contains(long timestamp) => timestamp >= MinTimestamp && timestamp <= MaxTimestamp;

    /// <summary>False when the group's statistics prove that none of its rows can match.</summary>
    internal bool MayMatch(BlockRowGroup group)
    {
        if (MetricName is not null && group.MinMetricName is not null && group.MaxMetricName is not null
            && (string.CompareOrdinal(MetricName, group.MinMetricName) < 0 || string.CompareOrdinal(MetricName, group.MaxMetricName) > 0))
        {
            return false;
        }

        return !HasTimeRange || (group.MinTimestamp <= MaxTimestamp && group.MaxTimestamp >= MinTimestamp);
    }
}

/// <summary>A row group of a block and the statistics that decide whether a query reads it.</summary>
/// <param name="Index">Position in the file.</param>
/// <param name="Rows">Series in the group.</param>
/// <param name="MinMetricName">Smallest metric name (ordinal), null without statistics.</param>
/// <param name="MaxMetricName">Largest metric name, null without statistics.</param>
/// <param name="MinTimestamp">Earliest timestamp of any list entry; <see cref="long.MinValue"/> when unknown.</param>
/// <param name="MaxTimestamp">Latest timestamp; <see cref="long.MaxValue"/> when unknown.</param>
public sealed record BlockRowGroup(int Index, long Rows, string? MinMetricName, string? MaxMetricName, long MinTimestamp, long MaxTimestamp);

/// <summary>The series a read returned, and how many row groups it read and skipped.</summary>
public sealed class BlockReadResult
{
    public List<StoredSeries> Series { get; } = [];
    public int RowGroupsRead { get; internal set; }
    public int RowGroupsSkipped { get; internal set; }
}
