using System.Buffers;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using PromLake.Storage.Dedup;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Writes a flush buffer as level-0 blocks, one Parquet blob per (tenant, hour),
/// after removing exact repeats. HA replicas keep their replica label at level 0:
/// a flush sees only a few seconds of each replica, and choosing between replicas
/// flush by flush would interleave them at every flush boundary. Queries merge
/// replicas over their whole range, and the hour merge, which sees the whole hour,
/// drops the replica label for good. Every blob is written before the caller
/// commits its checkpoint, and a repeated flush of the same log range writes the
/// same names, overwriting rather than duplicating.
/// </summary>
public sealed class L0Flush
{
    private readonly BlobContainerClient _container;
    private readonly SampleBlockWriter _writer;

    public L0Flush(BlobContainerClient container, SampleBlockWriter writer)
    {
        _container = container;
        _writer = writer;
    }

    /// <summary>Returns the names of the blobs written.</summary>
    public async Task<IReadOnlyList<string>> WriteAsync(FlushBuffer buffer, int shard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var written = new List<string>();
        foreach (var partition in buffer.Blocks.OrderBy(p => p.Tenant, StringComparer.Ordinal).ThenBy(p => p.Hour))
        {
            var name = BlockLayout.Level0(partition.Tenant, partition.Hour, shard, buffer.FirstPosition, buffer.LastPosition);
            using var content = new MemoryStream();
            await WriteBlockAsync(_writer, partition, content, cancellationToken).ConfigureAwait(false);
            await UploadAsync(name, content, shard, cancellationToken).ConfigureAwait(false);
            written.Add(name);
        }

        return written;
    }

    /// <summary>
    /// Writes one (tenant, hour) of a flush as a block: exact repeats removed, series in block
    /// order, samples handed to the writer as the columns they were decoded into.
    /// </summary>
    public static Task<BlockWriteSummary> WriteBlockAsync(SampleBlockWriter writer, FlushPartition partition, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(partition);
        var series = partition.Series;
        partition.LabelSets.Rank();

        // A partition holds each label set once, so the ranks are distinct and the order total.
        // Rank and index in one long sort as plain integers, far faster than sorting the series by key.
        var order = ArrayPool<long>.Shared.Rent(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            order[i] = ((long)series[i].LabelSet.Rank << 32) | (uint)i;
        }

        Array.Sort(order, 0, series.Count);
        var rows = new List<BlockRow>(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[(int)order[i]];
            s.Deduplicate();
            rows.Add(new BlockRow(s.LabelSet.Template, s.LabelSet.LabelColumns, s.Samples.Columns, s.HistogramsOrEmpty, s.ExemplarsOrEmpty, s.Metadata));
        }

        ArrayPool<long>.Shared.Return(order);
        return writer.WriteRowsAsync(rows, destination, cancellationToken);
    }

    private async Task UploadAsync(string name, MemoryStream content, int shard, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["level"] = "0", ["shard"] = shard.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        try
        {
            content.Position = 0;
            await _container.GetBlobClient(name).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException e) when (e.ErrorCode == "ContainerNotFound")
        {
            // Storage came back empty (a new account, Azurite restarted in memory): make the container again.
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            content.Position = 0;
            await _container.GetBlobClient(name).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Exact repeats, per series: the last written wins.</summary>
    public static List<StoredSeries> Deduplicate(IEnumerable<StoredSeries> series)
    {
        var list = new List<StoredSeries>();
        foreach (var s in series)
        {
            RepeatDedup.Apply(s.Samples);
            RepeatDedup.Apply(s.Histograms);
            list.Add(s);
        }

        return list;
    }
}
