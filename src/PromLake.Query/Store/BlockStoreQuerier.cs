using Azure.Storage.Blobs;
using PromLake.Log;
using PromLake.Query.Model;
using PromLake.Query.Storage;
using PromLake.Storage.Compaction;
using PromLake.Storage.Dedup;
using PromLake.Storage.Parquet;
using Block = PromLake.Storage.Series;

namespace PromLake.Query.Store;

/// <summary>
/// A tenant's series as the query engine sees them: the Parquet blocks of every
/// hour the query touches (pruned by metric name and time through row-group
/// statistics) plus the data acknowledged but not yet compacted (the log from the
/// compactor's checkpoint on), merged and deduplicated at query time with the
/// compactor's own rules (exact repeats, HA replicas), so results are right
/// before compaction has run.
/// </summary>
public sealed class BlockStoreQuerier : ISeriesQuerier
{
    private static readonly TimeSpan TailReadWait = TimeSpan.FromSeconds(2);

    private readonly string _tenant;
    private readonly BlobContainerClient _blocks;
    private readonly ILogReader? _log;
    private readonly ICheckpointStore? _checkpoints;
    private readonly string _consumer;
    private readonly ReplicaDedup _replicas;
    private readonly HashSet<string> _replicaLabelNames;
    private readonly BlockCache _cache;

    public BlockStoreQuerier(string tenant, BlobContainerClient blocks, ILogReader? log, ICheckpointStore? checkpoints, string consumer, IEnumerable<string> replicaLabels, BlockCache cache)
    {
        _tenant = tenant;
        _blocks = blocks;
        _log = log;
        _checkpoints = checkpoints;
        _consumer = consumer;
        _replicaLabelNames = new HashSet<string>(replicaLabels, StringComparer.Ordinal);
        _replicas = new ReplicaDedup(_replicaLabelNames);
        _cache = cache;
    }

    public async ValueTask<IReadOnlyList<StoredSeries>> SelectAsync(SelectRequest request, CancellationToken cancellationToken = default)
    {
        var metricName = request.Matchers.FirstOrDefault(m => m.Name == "__name__" && m.Type == MatcherType.Equal)?.Value;
        // Checkpoints first, blocks second: a flush that lands in between then shows up
        // in both (and is deduplicated) instead of in neither.
        var tailStarts = await TailStartsAsync(cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<ulong, Block.StoredSeries>();
        await ReadBlocksAsync(request, metricName, found, cancellationToken).ConfigureAwait(false);
        await ReadLogTailAsync(request, tailStarts, found, cancellationToken).ConfigureAwait(false);

        var result = new List<StoredSeries>();
        foreach (var series in _replicas.Apply(found.Values.Select(Deduplicated).ToList()))
        {
            var labels = Labels.FromPairs(series.Labels.Select(l => new Label(l.Name, l.Value)));
            if (!request.Matchers.All(m => m.Matches(labels)))
            {
                continue;
            }

            var samples = new List<StoredSample>(series.Samples.Count);
            foreach (var s in series.Samples)
            {
                if (s.Timestamp >= request.MinT && s.Timestamp <= request.MaxT)
                {
                    samples.Add(new StoredSample(s.Timestamp, s.Value));
                }
            }

            if (samples.Count > 0)
            {
                result.Add(new StoredSeries(labels, samples));
            }
        }

        return result;
    }

    private async Task ReadBlocksAsync(SelectRequest request, string? metricName, Dictionary<ulong, Block.StoredSeries> found, CancellationToken cancellationToken)
    {
        if (!(await _blocks.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return;
        }

        var query = new BlockQuery { MetricName = metricName, MinTimestamp = request.MinT, MaxTimestamp = request.MaxT };
        // The catalog leaves out blocks a merged block covers, re-lists a day when a merge deletes a block under
        // us, and returns the results per shard in log-position order, the order "last written wins" needs.
        var reads = await new BlockCatalog(_blocks).ReadAsync(_tenant, request.MinT, request.MaxT, async (block, ct) =>
        {
            var bytes = await _cache.GetAsync(_blocks, block.Name, block.ETag, ct).ConfigureAwait(false);
            using var stream = new MemoryStream(bytes, writable: false);
            await using var reader = await SampleBlockReader.OpenAsync(stream, ct).ConfigureAwait(false);
            return (await reader.ReadAsync(query, ct).ConfigureAwait(false)).Series;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var (_, series) in reads)
        {
            foreach (var s in series)
            {
                if (MayMatch(request, s))
                {
                    Merge(found, s);
                }
            }
        }
    }

    private async Task<long[]?> TailStartsAsync(CancellationToken cancellationToken)
    {
        if (_log is null || _checkpoints is null)
        {
            return null;
        }

        var starts = new long[_log.ShardCount];
        for (var shard = 0; shard < starts.Length; shard++)
        {
            starts[shard] = await _checkpoints.GetAsync(_consumer, shard, cancellationToken).ConfigureAwait(false) ?? LogPosition.Start;
        }

        return starts;
    }

    private async Task ReadLogTailAsync(SelectRequest request, long[]? tailStarts, Dictionary<ulong, Block.StoredSeries> found, CancellationToken cancellationToken)
    {
        if (_log is null || tailStarts is null)
        {
            return;
        }

        for (var shard = 0; shard < _log.ShardCount; shard++)
        {
            var position = tailStarts[shard];
            var end = await _log.GetEndPositionAsync(shard, cancellationToken).ConfigureAwait(false);
            var buffer = new FlushBuffer();
            while (position < end)
            {
                // Up to the end as it was when the query started: a remote log's first
                // batch may take a moment to arrive, so wait a little for it rather than
                // taking an empty batch for the end.
                var batch = await _log.ReadAsync(shard, position, 1000, TailReadWait, cancellationToken).ConfigureAwait(false);
                if (batch.Records.Count == 0)
                {
                    break;
                }

                foreach (var record in batch.Records)
                {
                    buffer.Add(record.Position, record.NextPosition, record.Payload.Span);
                }

                position = batch.NextPosition;
            }

            foreach (var ((tenant, hour), partition) in buffer.Partitions)
            {
                if (tenant != _tenant || hour + BlockLayout.HourMs <= request.MinT || hour > request.MaxT)
                {
                    continue;
                }

                foreach (var series in partition.Values)
                {
                    if (MayMatch(request, series))
                    {
                        Merge(found, series);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Applies the matchers that do not name a replica label as each series is read,
    /// so series the query cannot return are neither merged nor converted. (Matchers
    /// on replica labels wait until replicas are merged, where the label is gone.)
    /// </summary>
    private bool MayMatch(SelectRequest request, Block.StoredSeries series)
    {
        foreach (var matcher in request.Matchers)
        {
            if (_replicaLabelNames.Contains(matcher.Name))
            {
                continue;
            }

            var value = "";
            foreach (var label in series.Labels)
            {
                if (label.Name == matcher.Name)
                {
                    value = label.Value;
                    break;
                }
            }

            if (!matcher.Matches(value))
            {
                return false;
            }
        }

        return true;
    }

    private static void Merge(Dictionary<ulong, Block.StoredSeries> found, Block.StoredSeries series)
    {
        if (!found.TryGetValue(series.Id, out var existing))
        {
            found[series.Id] = existing = new Block.StoredSeries(series.Labels);
        }

        existing.Samples.AddRange(series.Samples);
        existing.Histograms.AddRange(series.Histograms);
    }

    private static Block.StoredSeries Deduplicated(Block.StoredSeries series)
    {
        RepeatDedup.Apply(series.Samples);
        RepeatDedup.Apply(series.Histograms);
        return series;
    }
}
