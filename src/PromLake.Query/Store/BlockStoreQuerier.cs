using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using PromLake.Log;
using PromLake.Query.Http;
using PromLake.Query.Model;
using PromLake.Query.Storage;
using PromLake.Storage.Compaction;
using PromLake.Storage.Dedup;
using Block = PromLake.Storage.Series;

namespace PromLake.Query.Store;

/// <summary>
/// A tenant's series as the query engine sees them: the blocks of every day the query
/// touches that no merged block covers (<see cref="BlockCatalog"/>), decoded once and kept
/// in <see cref="BlockCache"/>, plus the data acknowledged but
/// not yet compacted (the log from the compactor's checkpoint on), merged and deduplicated at
/// query time with the compactor's own rules (exact repeats, HA replicas), so results are
/// right before compaction has run.
/// </summary>
public sealed class BlockStoreQuerier : ISeriesQuerier, ILabelQuerier, IExemplarQuerier
{
    /// <summary>Blocks downloaded and decoded at once by one query: the cores, at most 4, since decoding is CPU-bound.</summary>
    private static readonly int DecodeParallelism = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Days listed at once: listing is a round trip each.</summary>
    private const int ListingParallelism = 8;

    /// <summary>
    /// How long a read of the log tail waits for its first events: a remote log's first batch
    /// may take a moment to arrive, and an empty batch before the shard's end is not the end.
    /// </summary>
    private static readonly TimeSpan TailReadWait = TimeSpan.FromSeconds(2);

    private readonly string _tenant;
    private readonly BlobContainerClient _blocks;
    private readonly ILogReader? _log;
    private readonly ICheckpointStore? _checkpoints;
    private readonly string _consumer;
    private readonly ReplicaDedup _replicas;
    private readonly HashSet<string> _replicaLabelNames;
    private readonly BlockCache _cache;
    private readonly BlockListingCache? _listings;

    /// <param name="listings">Listings to reuse for a short while; null lists for every query. Only used with a log.</param>
    public BlockStoreQuerier(string tenant, BlobContainerClient blocks, ILogReader? log, ICheckpointStore? checkpoints, string consumer, IEnumerable<string> replicaLabels, BlockCache cache,
        BlockListingCache? listings = null)
    {
        _listings = log is null || checkpoints is null ? null : listings;
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
        var order = await GatherAsync(request, cancellationToken).ConfigureAwait(false);
        return HasReplicas(order) ? ReplicasMerged(request, order) : Assembled(request, order);
    }

    /// <summary>The matching series' labels from the decoded blocks' labels and the log tail, without assembling any samples.</summary>
    public async ValueTask<IReadOnlyList<Labels>> SeriesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var request = new SelectRequest(matchers, minT, maxT);
        var order = await GatherAsync(request, cancellationToken).ConfigureAwait(false);
        var result = new HashSet<Labels>();
        foreach (var assembly in order)
        {
            // A merged HA pair is the replicas' labels without the replica labels, and has a
            // sample in the range if any replica has one.
            var labels = assembly.Labels;
            if (_replicaLabelNames.Count > 0)
            {
                labels = labels.WithoutSet(_replicaLabelNames, alsoMetricName: false);
            }

            if (assembly.HasSamples(minT, maxT) && AllMatch(request, labels))
            {
                result.Add(labels);
            }
        }

        return [.. result];
    }

    public async ValueTask<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var labels in await SeriesAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false))
        {
            foreach (var label in labels.AsSpan())
            {
                names.Add(label.Name);
            }
        }

        return [.. names];
    }

    public async ValueTask<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var labels in await SeriesAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false))
        {
            var value = labels.Get(name);
            if (value.Length > 0)
            {
                values.Add(value);
            }
        }

        return [.. values];
    }

    /// <summary>
    /// The exemplars of the series any selector matches, from the blocks and the log tail. An HA
    /// pair's series is the replicas' labels without the replica labels, with both replicas'
    /// exemplars (one of each repeat).
    /// </summary>
    public async ValueTask<IReadOnlyList<SeriesExemplars>> ExemplarsAsync(IReadOnlyList<IReadOnlyList<LabelMatcher>> selectors, long minT, long maxT, CancellationToken cancellationToken = default)
    {
        var bySeries = new Dictionary<Labels, List<Block.Exemplar>>();
        foreach (var matchers in selectors)
        {
            var request = new SelectRequest(matchers, minT, maxT);
            foreach (var assembly in await GatherAsync(request, cancellationToken).ConfigureAwait(false))
            {
                var exemplars = assembly.Exemplars();
                var labels = _replicaLabelNames.Count > 0 ? assembly.Labels.WithoutSet(_replicaLabelNames, alsoMetricName: false) : assembly.Labels;
                if (exemplars.Count == 0 || !AllMatch(request, labels))
                {
                    continue;
                }

                if (!bySeries.TryGetValue(labels, out var all))
                {
                    bySeries[labels] = all = [];
                }

                all.AddRange(exemplars); // repeats (two selectors, two replicas) go below
            }
        }

        var result = new List<SeriesExemplars>(bySeries.Count);
        foreach (var (labels, exemplars) in bySeries)
        {
            RepeatDedup.Apply(exemplars);
            var samples = new List<ExemplarSample>(exemplars.Count);
            foreach (var e in exemplars)
            {
                samples.Add(new ExemplarSample(DecodedBlock.QueryLabelsOf(e.Labels), e.Value, e.Timestamp));
            }

            result.Add(new SeriesExemplars(labels, samples));
        }

        result.Sort(static (a, b) => a.SeriesLabels.CompareTo(b.SeriesLabels));
        return result;
    }

    /// <summary>Every series that may match, from the blocks and then the log tail, in log order, its pieces cut to the range.</summary>
    private async Task<List<SeriesAssembly>> GatherAsync(SelectRequest request, CancellationToken cancellationToken)
    {
        var (listing, _) = await ListingAsync(cancellationToken).ConfigureAwait(false);
        DecodedBlock[] blocks;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                blocks = await ReadBlocksAsync(request, listing, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode != BlobErrorCode.ContainerNotFound && attempt < BlockCatalog.MaxAttempts)
            {
                // A listed block has gone since (a merge deleted it after writing the block that
                // replaces it, or retention): list again, which finds the replacement.
                _listings?.Drop(_blocks.Uri.AbsoluteUri, _tenant, listing);
                listing = await NewListingAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var found = new Dictionary<ulong, SeriesAssembly>();
        var order = new List<SeriesAssembly>();
        foreach (var block in blocks)
        {
            AddMatching(request, block, found, order);
        }

        await ReadLogTailAsync(request, listing.TailStarts, found, order, cancellationToken).ConfigureAwait(false);
        return order;
    }

    /// <summary>
    /// Checkpoints first, blocks second: a flush that lands in between then shows up in both
    /// (and is deduplicated) instead of in neither. A listing started less than a few seconds
    /// ago is reused with its own checkpoints (see <see cref="BlockListing"/>).
    /// </summary>
    private async Task<(BlockListing Listing, bool Reused)> ListingAsync(CancellationToken cancellationToken)
    {
        if (_listings?.Fresh(_blocks.Uri.AbsoluteUri, _tenant) is { } fresh)
        {
            return (fresh, true);
        }

        return (await NewListingAsync(cancellationToken).ConfigureAwait(false), false);
    }

    private async Task<BlockListing> NewListingAsync(CancellationToken cancellationToken)
    {
        var readAt = _listings?.Now ?? DateTimeOffset.UtcNow;
        var listing = new BlockListing(await TailStartsAsync(cancellationToken).ConfigureAwait(false), readAt);
        _listings?.Keep(_blocks.Uri.AbsoluteUri, _tenant, listing);
        return listing;
    }

    /// <summary>
    /// The blocks the query needs: every day it touches listed once (hour folders and day
    /// blocks together), blocks a merged block covers left out, the rest per shard in log
    /// order, the order the "last written wins" rule needs (<see cref="BlockCatalog"/>).
    /// The one place that knows how blocks are found: listing, then the cache.
    /// </summary>
    private async Task<DecodedBlock[]> ReadBlocksAsync(SelectRequest request, BlockListing listing, CancellationToken cancellationToken)
    {
        var first = BlockLayout.DayOf(Math.Max(request.MinT, 0));
        var last = BlockLayout.DayOf(Math.Min(request.MaxT, DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds()));
        var days = last < first ? 0 : (int)((last - first) / BlockLayout.DayMs) + 1;
        // What the reused listing and the cache already hold is taken without going to the
        // thread pool: a warm query then makes no round trip and waits for no worker.
        var listed = new IReadOnlyList<BlockRef>[days];
        var unlisted = new List<int>();
        for (var d = 0; d < days; d++)
        {
            if (listing.TryGetDay(first + d * BlockLayout.DayMs, out var known))
            {
                listed[d] = known;
            }
            else
            {
                unlisted.Add(d);
            }
        }

        var catalog = new BlockCatalog(_blocks);
        try
        {
            await Parallel.ForAsync(0, unlisted.Count, new ParallelOptions { MaxDegreeOfParallelism = ListingParallelism, CancellationToken = cancellationToken }, async (u, ct) =>
            {
                var day = first + unlisted[u] * BlockLayout.DayMs;
                var blocks = await catalog.ListDayAsync(_tenant, day, ct).ConfigureAwait(false);
                listing.AddDay(day, blocks);
                listed[unlisted[u]] = blocks;
            }).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return []; // nothing compacted yet
        }

        var all = new List<BlockRef>();
        foreach (var day in listed)
        {
            all.AddRange(BlockCatalog.Needed(day, request.MinT, request.MaxT));
        }

        all.Sort(BlockRef.CompareLogOrder);
        var blocks = new DecodedBlock[all.Count];
        var uncached = new List<int>();
        for (var i = 0; i < blocks.Length; i++)
        {
            if (!_cache.TryGet(_blocks, all[i].Name, all[i].ETag, out blocks[i]!))
            {
                uncached.Add(i);
            }
        }

        await Parallel.ForAsync(0, uncached.Count, new ParallelOptions { MaxDegreeOfParallelism = DecodeParallelism, CancellationToken = cancellationToken }, async (u, ct) =>
        {
            var i = uncached[u];
            blocks[i] = await _cache.GetAsync(_blocks, all[i].Name, all[i].ETag, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return blocks;
    }

    /// <summary>
    /// Adds the block's series that can match: the postings of its equality matchers narrow
    /// the block, then each candidate is checked against every matcher that does not name a
    /// replica label (those wait until replicas are merged, where the label is gone).
    /// </summary>
    private void AddMatching(SelectRequest request, DecodedBlock block, Dictionary<ulong, SeriesAssembly> found, List<SeriesAssembly> order)
    {
        var candidates = block.Postings.Candidates(request.Matchers, _replicaLabelNames);
        var count = candidates?.Length ?? block.Series.Length;
        for (var c = 0; c < count; c++)
        {
            var series = block.Series[candidates?[c] ?? c];
            if (!MayMatch(request, series.Labels))
            {
                continue;
            }

            var assembly = AssemblyOf(series.Id, series.StorageLabels, series.Labels, found, order);
            assembly.Add(series.Timestamps, series.Values, series.StrictlyIncreasing, request.MinT, request.MaxT);
            if (series.Histograms.Length > 0)
            {
                assembly.AddHistograms(series.Histograms, request.MinT, request.MaxT);
            }

            if (series.Exemplars.Length > 0)
            {
                assembly.AddExemplars(series.Exemplars, request.MinT, request.MaxT);
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
        await Parallel.ForAsync(0, starts.Length, new ParallelOptions { MaxDegreeOfParallelism = ListingParallelism, CancellationToken = cancellationToken }, async (shard, ct) =>
        {
            starts[shard] = await _checkpoints.GetAsync(_consumer, shard, ct).ConfigureAwait(false) ?? LogPosition.Start;
        }).ConfigureAwait(false);
        return starts;
    }

    private async Task ReadLogTailAsync(SelectRequest request, long[]? tailStarts, Dictionary<ulong, SeriesAssembly> found, List<SeriesAssembly> order, CancellationToken cancellationToken)
    {
        if (_log is null || tailStarts is null)
        {
            return;
        }

        // Every shard's end is asked at once (a local log answers at once, a remote one in one
        // round trip for all); most tails are empty and end there. Shards with more are read up
        // to that end (everything acknowledged when the query started) and decoded side by side,
        // then added in shard order so that the result does not depend on which read finished first.
        var endReads = new Task<long>[_log.ShardCount];
        for (var shard = 0; shard < endReads.Length; shard++)
        {
            endReads[shard] = _log.GetEndPositionAsync(shard, cancellationToken).AsTask();
        }

        await Task.WhenAll(endReads).ConfigureAwait(false);
        var anything = false;
        for (var shard = 0; shard < endReads.Length; shard++)
        {
            anything |= endReads[shard].Result > tailStarts[shard];
        }

        if (!anything)
        {
            return;
        }

        var buffers = new FlushBuffer[endReads.Length];
        await Parallel.ForAsync(0, buffers.Length, new ParallelOptions { MaxDegreeOfParallelism = DecodeParallelism, CancellationToken = cancellationToken }, async (shard, ct) =>
        {
            var buffer = new FlushBuffer();
            var position = tailStarts[shard];
            var end = endReads[shard].Result;
            while (position < end)
            {
                var batch = await _log.ReadAsync(shard, position, 1000, TailReadWait, ct).ConfigureAwait(false);
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

            buffers[shard] = buffer;
        }).ConfigureAwait(false);

        foreach (var buffer in buffers)
        {
            foreach (var ((tenant, hour), partition) in buffer.Partitions)
            {
                if (tenant != _tenant || hour + BlockLayout.HourMs <= request.MinT || hour > request.MaxT)
                {
                    continue;
                }

                foreach (var series in partition.Values)
                {
                    AddTailSeries(request, series, found, order);
                }
            }
        }
    }

    /// <summary>A series of the log tail, in log order (unsorted, repeats possible: the merge sorts that out).</summary>
    private void AddTailSeries(SelectRequest request, Block.StoredSeries series, Dictionary<ulong, SeriesAssembly> found, List<SeriesAssembly> order)
    {
        if (series.Samples.Count + series.Histograms.Count + series.Exemplars.Count == 0)
        {
            return;
        }

        var labels = DecodedBlock.QueryLabelsOf(series.Labels);
        if (!MayMatch(request, labels))
        {
            return;
        }

        var (timestamps, values) = SeriesAssembly.Columns(series.Samples);
        var assembly = AssemblyOf(series.Id, series.Labels, labels, found, order);
        assembly.Add(timestamps, values, strictlyIncreasing: false, request.MinT, request.MaxT);
        assembly.AddHistograms(series.Histograms, request.MinT, request.MaxT);
        assembly.AddExemplars(series.Exemplars, request.MinT, request.MaxT);
    }

    private static SeriesAssembly AssemblyOf(ulong id, Block.Label[] storageLabels, Labels labels, Dictionary<ulong, SeriesAssembly> found, List<SeriesAssembly> order)
    {
        if (!found.TryGetValue(id, out var assembly))
        {
            found[id] = assembly = new SeriesAssembly(storageLabels, labels);
            order.Add(assembly);
        }

        return assembly;
    }

    private bool MayMatch(SelectRequest request, Labels labels)
    {
        foreach (var matcher in request.Matchers)
        {
            if (!_replicaLabelNames.Contains(matcher.Name) && !matcher.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    private bool HasReplicas(List<SeriesAssembly> order)
    {
        if (_replicaLabelNames.Count == 0)
        {
            return false;
        }

        foreach (var assembly in order)
        {
            foreach (var label in assembly.StorageLabels)
            {
                if (_replicaLabelNames.Contains(label.Name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>No HA replicas among the series: each is its own answer, and the replica-label matchers see the label absent.</summary>
    private List<StoredSeries> Assembled(SelectRequest request, List<SeriesAssembly> order)
    {
        var result = new List<StoredSeries>(order.Count);
        foreach (var assembly in order)
        {
            if (MatchesReplicaMatchers(request, assembly.Labels) && assembly.Build(request.MinT, request.MaxT) is { } samples)
            {
                result.Add(new StoredSeries(assembly.Labels, samples));
            }
        }

        return result;
    }

    private bool MatchesReplicaMatchers(SelectRequest request, Labels labels)
    {
        foreach (var matcher in request.Matchers)
        {
            if (_replicaLabelNames.Contains(matcher.Name) && !matcher.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>HA replicas present: merged over the whole range with the compactor's penalty rule, then matched.</summary>
    private List<StoredSeries> ReplicasMerged(SelectRequest request, List<SeriesAssembly> order)
    {
        var input = new List<Block.StoredSeries>(order.Count);
        foreach (var assembly in order)
        {
            input.Add(assembly.ToStoredSeries(request.MinT, request.MaxT));
        }

        var result = new List<StoredSeries>();
        foreach (var series in _replicas.Apply(input))
        {
            var labels = DecodedBlock.QueryLabelsOf(series.Labels);
            if (!AllMatch(request, labels) || series.Samples.Count + series.Histograms.Count == 0)
            {
                continue;
            }

            var (timestamps, values) = SeriesAssembly.Columns(series.Samples);
            var floats = timestamps.Length == 0 ? null : new ColumnarSamples(timestamps, values);
            result.Add(new StoredSeries(labels, SeriesAssembly.WithHistograms(floats, series.Histograms) ?? []));
        }

        return result;
    }

    private static bool AllMatch(SelectRequest request, Labels labels)
    {
        foreach (var matcher in request.Matchers)
        {
            if (!matcher.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }
}
