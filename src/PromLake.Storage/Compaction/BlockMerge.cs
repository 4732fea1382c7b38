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
    private readonly SampleBlockWriter _writer = new(SampleBlockWriterOptions.MergedLevels);

    public BlockMerge(BlobContainerClient container, IEnumerable<string> replicaLabels)
    {
        _container = container;
        _replicas = new ReplicaDedup(replicaLabels);
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
            var series = await ReadAsync(inputs, cancellationToken).ConfigureAwait(false);
            using var content = new MemoryStream();
            await _writer.WriteAsync(series, content, cancellationToken).ConfigureAwait(false);
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

    /// <summary>All series of the inputs, applied in log order, then deduplicated.</summary>
    private async Task<List<StoredSeries>> ReadAsync(IReadOnlyList<BlockRef> inputs, CancellationToken cancellationToken)
    {
        var ordered = inputs.ToList();
        ordered.Sort(BlockRef.CompareLogOrder);
        var series = new Dictionary<ulong, StoredSeries>();
        var order = new List<StoredSeries>();
        foreach (var input in ordered)
        {
            var download = await _container.GetBlobClient(input.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            using var stream = download.Value.Content.ToStream();
            await using var reader = await SampleBlockReader.OpenAsync(stream, cancellationToken).ConfigureAwait(false);
            var read = await reader.ReadAsync(BlockQuery.All, cancellationToken).ConfigureAwait(false);
            foreach (var s in read.Series)
            {
                if (!series.TryGetValue(s.Id, out var existing))
                {
                    series[s.Id] = existing = new StoredSeries(s.Labels);
                    order.Add(existing);
                }

                // Appended in log order, so RepeatDedup's "last written wins" sees the later block's value last.
                existing.Samples.AddRange(s.Samples);
                existing.Histograms.AddRange(s.Histograms);
                existing.Exemplars.AddRange(s.Exemplars);
                existing.Metadata = s.Metadata ?? existing.Metadata;
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
