namespace PromLake.Storage.Parquet;

/// <summary>What <see cref="SampleBlockWriter"/> wrote: counts and the time range, for blob names, logs and metrics.</summary>
public sealed class BlockWriteSummary
{
    public int Series { get; internal set; }
    public long Samples { get; internal set; }
    public long Histograms { get; internal set; }
    public long Exemplars { get; internal set; }
    public int RowGroups { get; internal set; }

    /// <summary>The earliest timestamp of any sample, histogram or exemplar; <see cref="long.MaxValue"/> for an empty block.</summary>
    public long MinTimestamp { get; private set; } = long.MaxValue;

    /// <summary>The latest timestamp; <see cref="long.MinValue"/> for an empty block.</summary>
    public long MaxTimestamp { get; private set; } = long.MinValue;

    internal void Include(long timestamp)
    {
        if (timestamp < MinTimestamp)
        {
            MinTimestamp = timestamp;
        }

        if (timestamp > MaxTimestamp)
        {
            MaxTimestamp = timestamp;
        }
    }
}
