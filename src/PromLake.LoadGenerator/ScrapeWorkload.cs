namespace PromLake.LoadGenerator;

/// <summary>
/// The simulated fleet: every target's series, split into the batches that become request bodies.
/// </summary>
/// <remarks>
/// Prometheus shards series by a hash of their labels and sends each shard's samples in scrape order, so one request
/// holds a hash-chosen slice of many targets rather than whole targets. The batches here are made the same way:
/// series ordered by label hash and cut into runs of <c>seriesPerRequest</c>, then each run put back in scrape order.
/// </remarks>
internal sealed class ScrapeWorkload
{
    private ScrapeWorkload(ScrapeTimeline timeline, IReadOnlyList<SimulatedTarget> targets, IReadOnlyList<IReadOnlyList<SeriesDefinition>> batches, int seriesCount)
    {
        Timeline = timeline;
        Targets = targets;
        Batches = batches;
        SeriesCount = seriesCount;
    }

    public ScrapeTimeline Timeline { get; }
    public IReadOnlyList<SimulatedTarget> Targets { get; }
    public IReadOnlyList<IReadOnlyList<SeriesDefinition>> Batches { get; }
    public int SeriesCount { get; }

    /// <summary>
    /// Builds the fleet. Without an explicit target count it adds hosts (at least 100) until there are two batches per
    /// connection, so that every connection always finds a body that is not in flight.
    /// </summary>
    public static ScrapeWorkload Create(int? targetCount, int seriesPerRequest, int concurrency, int seed, ScrapeTimeline timeline)
    {
        var intervalSeconds = timeline.IntervalMs / 1000.0;
        var targets = new List<SimulatedTarget>();
        var series = new List<SeriesDefinition>();
        var wantedSeries = (long)seriesPerRequest * concurrency * 2;
        while (targetCount is { } fixedCount ? targets.Count < fixedCount : targets.Count < 100 || series.Count < wantedSeries)
        {
            var target = SimulatedTarget.Create(targets.Count, seed, timeline);
            targets.Add(target);
            series.AddRange(NodeExporterSeries.For(target, intervalSeconds));
        }

        var byShard = series.OrderBy(static s => s.Fingerprint).ToList();
        var batches = new List<IReadOnlyList<SeriesDefinition>>();
        for (var start = 0; start < byShard.Count; start += seriesPerRequest)
        {
            batches.Add(byShard
                .GetRange(start, Math.Min(seriesPerRequest, byShard.Count - start))
                .OrderBy(static s => s.Target.Index)
                .ThenBy(static s => s.OrdinalInTarget)
                .ToList());
        }

        return new ScrapeWorkload(timeline, targets, batches, series.Count);
    }
}
