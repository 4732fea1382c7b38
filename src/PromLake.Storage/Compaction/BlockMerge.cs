using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using PromLake.Storage.Dedup;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// One merge of a shard's blocks of one partition (an hour or a day) into one block: read every live input in log
/// order, keep one sample per (series, timestamp) with the last written winning (<see cref="RepeatDedup"/>), merge
/// HA replicas into one series without the replica label (<see cref="ReplicaDedup"/>), write the result with zstd
/// SmallestSize, and only then delete the sources. Inputs stream through a row group at a time, series by series
/// (<see cref="MergeBlocksAsync(IReadOnlyList{MergeSource}, Stream, BlockLevel, CancellationToken)"/>). A crash at any point leaves either the sources, or the merged
/// block beside some of them, which readers resolve with <see cref="BlockRef.Covers"/>; the next merge of the
/// partition finishes the deletion.
/// </summary>
public sealed class BlockMerge
{
    private readonly BlobContainerClient _container;
    private readonly ReplicaDedup _replicas;
    private readonly SampleBlockWriter _hourWriter;
    private readonly SampleBlockWriter _dayWriter;

    /// <param name="writerOptions">
    /// Every merged block's settings, for tests that need small row groups; by default
    /// <see cref="SampleBlockWriterOptions.HourLevel"/> and <see cref="SampleBlockWriterOptions.MergedLevels"/>.
    /// </param>
    public BlockMerge(BlobContainerClient container, IEnumerable<string> replicaLabels, SampleBlockWriterOptions? writerOptions = null)
    {
        _container = container;
        _replicas = new ReplicaDedup(replicaLabels);
        _hourWriter = new SampleBlockWriter(writerOptions ?? SampleBlockWriterOptions.HourLevel);
        _dayWriter = new SampleBlockWriter(writerOptions ?? SampleBlockWriterOptions.MergedLevels);
    }

    /// <summary>
    /// Called after the merged block is written (with 0) and after each source is deleted (with the count so far).
    /// For fault tests, which throw from it to stop the merge exactly there, as a killed process would.
    /// </summary>
    public Func<BlockRef, int, Task>? OnProgress { get; init; }

    /// <summary>
    /// Merges <paramref name="sources"/> (one shard's blocks of the partition, superseded ones included: they are
    /// deleted, not read) into a <paramref name="level"/> block of the partition starting at
    /// <paramref name="partitionStart"/>. Returns the merged block, or null when there was nothing to merge.
    /// </summary>
    public async Task<BlockRef?> MergeAsync(string tenant, BlockLevel level, long partitionStart, IReadOnlyList<BlockRef> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (level == BlockLevel.Level0)
        {
            throw new ArgumentException("a merge writes an hour or a day block", nameof(level));
        }

        var inputs = BlockCatalog.Live(sources);
        if (inputs.Count == 0)
        {
            return null;
        }

        var shard = inputs[0].Shard;
        var first = inputs.Min(b => b.FirstPosition);
        var last = inputs.Max(b => b.LastPosition);
        var name = level == BlockLevel.Day
            ? BlockLayout.Day(tenant, partitionStart, shard, first, last)
            : BlockLayout.Hour(tenant, partitionStart, shard, first, last);
        var merged = new BlockRef(name, level, shard, first, last, partitionStart);

        // When the only live input already is this block (a merge killed before it deleted its sources), there is
        // nothing to write: rewriting it in place would change it under readers for nothing.
        if (inputs.Count > 1 || inputs[0].Name != name)
        {
            var ordered = inputs.ToList();
            ordered.Sort(BlockRef.CompareLogOrder);
            var contents = new List<MergeSource>(ordered.Count);
            foreach (var input in ordered)
            {
                // Blocks are compressed (about a byte a sample): holding the inputs' bytes is cheap; their decoded rows are not.
                var download = await _container.GetBlobClient(input.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                contents.Add(new MergeSource(input.Name, download.Value.Content, input.Level));
            }

            using var content = new MemoryStream();
            await MergeBlocksAsync(contents, content, level, cancellationToken).ConfigureAwait(false);
            content.Position = 0;
            var options = new BlobUploadOptions
            {
                Metadata = new Dictionary<string, string>
                {
                    ["level"] = ((int)level).ToString(CultureInfo.InvariantCulture),
                    ["shard"] = shard.ToString(CultureInfo.InvariantCulture),
                },
            };
            await _container.GetBlobClient(name).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }

        await Progress(merged, 0).ConfigureAwait(false);
        var deleted = 0;
        foreach (var source in sources)
        {
            if (source.Name == name)
            {
                continue;
            }

            await _container.GetBlobClient(source.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await Progress(merged, ++deleted).ConfigureAwait(false);
        }

        return merged;
    }

    private Task Progress(BlockRef merged, int deleted) => OnProgress is null ? Task.CompletedTask : OnProgress(merged, deleted);

    /// <summary>
    /// Merges blocks given in log order into one block written to <paramref name="destination"/> (seekable), a
    /// series at a time: every input is read a row group at a time, and the merge walks all inputs together in
    /// the order of the labels it writes, so memory holds a row group per input, one series' parts and one output
    /// row group, not the partition. The result is the same, byte for byte, as merging everything at once.
    /// </summary>
    /// <remarks>
    /// Level-0 inputs keep HA replica labels, so their series are not in the order of the labels written (a
    /// replica label sorts among the others): each metric's series of a level-0 input are taken whole and sorted
    /// by those labels; level-0 blocks are small. Merged inputs have none, unless the replica labels were
    /// configured after they were written: then the merge starts again a metric at a time, which holds a
    /// metric's series of all inputs but needs no order within a metric.
    /// </remarks>
    /// <exception cref="InvalidDataException">An input is not a block, or its rows are not in series order.</exception>
    internal async Task<BlockWriteSummary> MergeBlocksAsync(IReadOnlyList<MergeSource> inputsInLogOrder, Stream destination, BlockLevel level, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputsInLogOrder);
        ArgumentNullException.ThrowIfNull(destination);
        try
        {
            return await MergeBlocksAsync(inputsInLogOrder, destination, level, seriesAtATime: true, cancellationToken).ConfigureAwait(false);
        }
        catch (ReplicaLabelsInMergedBlock)
        {
            destination.SetLength(0);
            return await MergeBlocksAsync(inputsInLogOrder, destination, level, seriesAtATime: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<BlockWriteSummary> MergeBlocksAsync(IReadOnlyList<MergeSource> sources, Stream destination, BlockLevel level, bool seriesAtATime, CancellationToken cancellationToken)
    {
        var inputs = new List<BlockMergeInput>(sources.Count);
        try
        {
            foreach (var source in sources)
            {
                inputs.Add(await BlockMergeInput.OpenAsync(source, cancellationToken).ConfigureAwait(false));
            }

            var writer = level == BlockLevel.Day ? _dayWriter : _hourWriter;
            await using var session = await writer.OpenAsync(destination, cancellationToken).ConfigureAwait(false);
            var metric = new List<StoredSeries>();
            while (true)
            {
                string? next = null;
                foreach (var input in inputs)
                {
                    var name = await input.PeekMetricNameAsync(cancellationToken).ConfigureAwait(false);
                    if (name is not null && (next is null || string.CompareOrdinal(name, next) < 0))
                    {
                        next = name;
                    }
                }

                if (next is null)
                {
                    break;
                }

                if (seriesAtATime)
                {
                    await MergeMetricBySeriesAsync(inputs, next, session, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                metric.Clear();
                foreach (var input in inputs)
                {
                    await input.TakeAsync(next, metric, cancellationToken).ConfigureAwait(false);
                }

                await session.AppendAsync(BlockRows.From(Deduplicate(metric)), cancellationToken).ConfigureAwait(false);
            }

            return await session.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var input in inputs)
            {
                await input.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One metric, series by series in the order of the labels written: each series' parts from every input, merged and written.</summary>
    private async Task MergeMetricBySeriesAsync(List<BlockMergeInput> inputs, string metric, SampleBlockWriter.Session session, CancellationToken cancellationToken)
    {
        var heads = new List<MetricHead>(inputs.Count);
        foreach (var input in inputs)
        {
            heads.Add(await MetricHead.OpenAsync(input, metric, _replicas, cancellationToken).ConfigureAwait(false));
        }

        var parts = new List<StoredSeries>();
        while (true)
        {
            Label[]? least = null;
            foreach (var head in heads)
            {
                var key = await head.PeekKeyAsync(cancellationToken).ConfigureAwait(false);
                if (key is not null && (least is null || SeriesOrder.CompareLabels(key, least) < 0))
                {
                    least = key;
                }
            }

            if (least is null)
            {
                return;
            }

            // In log order (the inputs' order), so the last written wins as in Deduplicate's rule.
            parts.Clear();
            foreach (var head in heads)
            {
                await head.TakeEqualAsync(least, parts, cancellationToken).ConfigureAwait(false);
            }

            await session.AppendAsync(BlockRows.From(Deduplicate(parts)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One input's series of one metric, by the labels a merge writes (replica labels dropped): streamed from a
    /// merged block, whose block order is that order; taken whole and sorted from a level-0 block.
    /// </summary>
    private sealed class MetricHead
    {
        private readonly BlockMergeInput? _streamed;
        private readonly string _metric;
        private readonly ReplicaDedup _replicas;
        private readonly List<(Label[] Key, StoredSeries Series)>? _sorted;
        private int _next;
        private Label[]? _lastKey;

        private MetricHead(BlockMergeInput? streamed, string metric, ReplicaDedup replicas, List<(Label[] Key, StoredSeries Series)>? sorted)
        {
            _streamed = streamed;
            _metric = metric;
            _replicas = replicas;
            _sorted = sorted;
        }

        public static async Task<MetricHead> OpenAsync(BlockMergeInput input, string metric, ReplicaDedup replicas, CancellationToken cancellationToken)
        {
            if (!input.KeepsReplicaLabels)
            {
                return new MetricHead(input, metric, replicas, null);
            }

            var series = new List<StoredSeries>();
            await input.TakeAsync(metric, series, cancellationToken).ConfigureAwait(false);
            var keyed = series.Select(s => (Key: replicas.WithoutReplicaLabels(s.Labels), Series: s)).ToList();

            // Stable: a key's replicas keep their block order, as the merge of everything at once saw them.
            var sorted = keyed.Select((k, i) => (k, i)).OrderBy(x => x.k.Key, LabelsOrder.Instance).ThenBy(x => x.i).Select(x => x.k).ToList();
            return new MetricHead(null, metric, replicas, sorted);
        }

        public async ValueTask<Label[]?> PeekKeyAsync(CancellationToken cancellationToken)
        {
            if (_sorted is not null)
            {
                return _next < _sorted.Count ? _sorted[_next].Key : null;
            }

            var next = await _streamed!.PeekAsync(cancellationToken).ConfigureAwait(false);
            if (next is null || next.MetricName != _metric)
            {
                return null;
            }

            if (_replicas.HasReplicaLabel(next) || (_lastKey is not null && SeriesOrder.CompareLabels(next.Labels, _lastKey) < 0))
            {
                throw new ReplicaLabelsInMergedBlock();
            }

            return next.Labels;
        }

        public async Task TakeEqualAsync(Label[] key, List<StoredSeries> into, CancellationToken cancellationToken)
        {
            while (await PeekKeyAsync(cancellationToken).ConfigureAwait(false) is { } next && SeriesOrder.CompareLabels(next, key) == 0)
            {
                if (_sorted is not null)
                {
                    into.Add(_sorted[_next++].Series);
                }
                else
                {
                    into.Add(_streamed!.Take());
                    _lastKey = next;
                }
            }
        }
    }

    private sealed class LabelsOrder : IComparer<Label[]>
    {
        public static LabelsOrder Instance { get; } = new();

        public int Compare(Label[]? x, Label[]? y) => SeriesOrder.CompareLabels(x, y);
    }

    /// <summary>A merged input holds series with replica labels (configured after it was written): merge a metric at a time instead.</summary>
    private sealed class ReplicaLabelsInMergedBlock : Exception
    {
    }

    /// <summary>
    /// Series of all inputs in log order (one metric's, or any set whose replicas are all in it) as one series
    /// each: repeats and replicas merged. The parts are the caller's to give up: the first of each series is reused.
    /// </summary>
    internal List<StoredSeries> Deduplicate(List<StoredSeries> parts)
    {
        var byId = new Dictionary<ulong, List<StoredSeries>>();
        var order = new List<StoredSeries>();
        foreach (var s in parts)
        {
            if (!byId.TryGetValue(s.Id, out var same))
            {
                byId[s.Id] = same = [];

                // The reader's series is the merge's own (the input let go of it): the first part takes the rest.
                order.Add(s);
            }

            same.Add(s);
        }

        foreach (var same in byId.Values)
        {
            if (same.Count == 1)
            {
                continue;
            }

            // Appended in log order, so RepeatDedup's "last written wins" sees the later block's value last; the
            // list sized once, as a day merge appends 24 hours to each series.
            var first = same[0];
            first.Samples.EnsureCapacity(same.Sum(p => p.Samples.Count));
            for (var i = 1; i < same.Count; i++)
            {
                first.Samples.AddRange(same[i].Samples);
                first.Histograms.AddRange(same[i].Histograms);
                first.Exemplars.AddRange(same[i].Exemplars);
                first.Metadata = same[i].Metadata ?? first.Metadata;
            }
        }

        foreach (var s in order)
        {
            RepeatDedup.Apply(s.Samples);
            RepeatDedup.Apply(s.Histograms);
        }

        // Exemplars after the replica merge, which keeps both replicas' (the same ones, as a rule).
        var merged = _replicas.Apply(order);
        foreach (var s in merged)
        {
            RepeatDedup.Apply(s.Exemplars);
        }

        return merged;
    }
}
