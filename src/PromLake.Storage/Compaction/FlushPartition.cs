namespace PromLake.Storage.Compaction;

/// <summary>The series of one (tenant, hour) in a flush: what becomes one level-0 block.</summary>
public sealed class FlushPartition
{
    internal FlushPartition(string tenant, long hour, LabelSetCache labelSets)
    {
        LabelSets = labelSets;
        Tenant = tenant;
        Hour = hour;
    }

    public string Tenant { get; }

    /// <summary>The hour's start, in milliseconds since the epoch.</summary>
    public long Hour { get; }

    public int SeriesCount => Series.Count;

    internal List<FlushSeries> Series { get; } = [];

    /// <summary>Where the series' label sets live, which orders them.</summary>
    internal LabelSetCache LabelSets { get; }
}
