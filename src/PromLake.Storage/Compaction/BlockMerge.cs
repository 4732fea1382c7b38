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
        // Merged inputs are streamed; the level-0 inputs' series of the metric are taken whole, all of them into
        // one list sorted by the labels written (an hour merge has hundreds of level-0 inputs and would otherwise
        // search them all for every series).
        var heads = new List<MetricHead>();
        var collected = new Dictionary<ulong, (Label[] Key, List<(int Input, StoredSeries Series)> Parts)>();
        var groupOf = new Dictionary<ulong, List<(int Input, StoredSeries Series)>>();
        var taken = new List<StoredSeries>();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].KeepsReplicaLabels)
            {
                heads.Add(MetricHead.Streamed(inputs[i], i, metric, _replicas));
                continue;
            }

            taken.Clear();
            await inputs[i].TakeAsync(metric, taken, cancellationToken).ConfigureAwait(false);
            foreach (var series in taken)
            {
                // Grouped by the labels written (replicas together), in the inputs' order and each block's; the
                // labels without replica labels worked out once per series, not once per input holding it.
                if (!groupOf.TryGetValue(series.Id, out var sameKey))
                {
                    var key = _replicas.WithoutReplicaLabels(series.Labels);
                    var id = ReferenceEquals(key, series.Labels) ? series.Id : SeriesId.Of(key);
                    if (!collected.TryGetValue(id, out var group))
                    {
                        collected[id] = group = (key, []);
                    }

                    groupOf[series.Id] = sameKey = group.Parts;
                }

                sameKey.Add((i, series));
            }
        }

        if (collected.Count > 0)
        {
            var groups = collected.Values.ToList();
            groups.Sort((a, b) => SeriesOrder.CompareLabels(a.Key, b.Key));
            heads.Add(MetricHead.Collected(groups));
        }

        var parts = new List<(int Input, StoredSeries Series)>();
        var ordered = new List<StoredSeries>();
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

            parts.Clear();
            foreach (var head in heads)
            {
                await head.TakeEqualAsync(least, parts, cancellationToken).ConfigureAwait(false);
            }

            // In log order (the inputs' order), so that the last written wins as Deduplicate's rule says.
            ordered.Clear();
            var inOrder = true;
            for (var i = 1; i < parts.Count && inOrder; i++)
            {
                inOrder = parts[i - 1].Input <= parts[i].Input;
            }

            // Stable: parts of one input keep the block's order.
            ordered.AddRange(inOrder ? parts.Select(p => p.Series) : parts.OrderBy(p => p.Input).Select(p => p.Series));
            await session.AppendAsync(BlockRows.From(Deduplicate(ordered)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Series of one metric in the order of the labels a merge writes (replica labels dropped): streamed from a
    /// merged block, whose block order is that order, or collected from the level-0 blocks and sorted.
    /// </summary>
    private sealed class MetricHead
    {
        private readonly BlockMergeInput? _streamed;
        private readonly int _input;
        private readonly string _metric;
        private readonly ReplicaDedup? _replicas;
        private readonly List<(Label[] Key, List<(int Input, StoredSeries Series)> Parts)>? _collected;
        private int _next;
        private Label[]? _lastKey;

        private MetricHead(BlockMergeInput? streamed, int input, string metric, ReplicaDedup? replicas, List<(Label[] Key, List<(int Input, StoredSeries Series)> Parts)>? collected)
        {
            _streamed = streamed;
            _input = input;
            _metric = metric;
            _replicas = replicas;
            _collected = collected;
        }

        public static MetricHead Streamed(BlockMergeInput input, int index, string metric, ReplicaDedup replicas) => new(input, index, metric, replicas, null);

        /// <summary>The level-0 inputs' series of the metric, grouped by the labels written and sorted by them.</summary>
        public static MetricHead Collected(List<(Label[] Key, List<(int Input, StoredSeries Series)> Parts)> sorted) => new(null, -1, "", null, sorted);

        public async ValueTask<Label[]?> PeekKeyAsync(CancellationToken cancellationToken)
        {
            if (_collected is not null)
            {
                return _next < _collected.Count ? _collected[_next].Key : null;
            }

            var next = await _streamed!.PeekAsync(cancellationToken).ConfigureAwait(false);
            if (next is null || next.MetricName != _metric)
            {
                return null;
            }

            if (_replicas!.HasReplicaLabel(next) || (_lastKey is not null && SeriesOrder.CompareLabels(next.Labels, _lastKey) < 0))
            {
                throw new ReplicaLabelsInMergedBlock();
            }

            return next.Labels;
        }

        public async Task TakeEqualAsync(Label[] key, List<(int Input, StoredSeries Series)> into, CancellationToken cancellationToken)
        {
            while (await PeekKeyAsync(cancellationToken).ConfigureAwait(false) is { } next && SeriesOrder.CompareLabels(next, key) == 0)
            {
                if (_collected is not null)
                {
                    into.AddRange(_collected[_next++].Parts);
                }
                else
                {
                    into.Add((_input, _streamed!.Take()));
                    _lastKey = next;
                }
            }
        }
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
