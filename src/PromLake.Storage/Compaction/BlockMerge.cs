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
/// SmallestSize, and only then delete the sources. A crash at any point leaves either the sources, or the merged
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
            var contents = new List<(string Name, Stream Content)>(ordered.Count);
            foreach (var input in ordered)
            {
                // Blocks are compressed (about a byte a sample): holding the inputs' bytes is cheap; their decoded rows are not.
                var download = await _container.GetBlobClient(input.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                contents.Add((input.Name, download.Value.Content.ToStream()));
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
    /// Merges blocks given in log order into one block written to <paramref name="destination"/>, a metric at a
    /// time: every input is read a row group at a time, and each metric's series from all inputs are merged and
    /// written before the next metric is read, so memory holds a row group per input, one metric's series and one
    /// output row group, not the partition. The result is the same, byte for byte, as merging everything at once:
    /// blocks are sorted by metric name first, and the writer's row groups end where they would.
    /// </summary>
    /// <exception cref="InvalidDataException">An input is not a block, or its rows are not in series order.</exception>
    internal async Task<BlockWriteSummary> MergeBlocksAsync(IReadOnlyList<(string Name, Stream Content)> inputsInLogOrder, Stream destination, BlockLevel level, CancellationToken cancellationToken)
    {
        var inputs = new List<BlockMergeInput>(inputsInLogOrder.Count);
        try
        {
            foreach (var (name, content) in inputsInLogOrder)
            {
                inputs.Add(await BlockMergeInput.OpenAsync(name, content, cancellationToken).ConfigureAwait(false));
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
