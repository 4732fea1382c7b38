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
        var written = new List<string>();
        foreach (var ((tenant, hour), partition) in buffer.Partitions.OrderBy(p => p.Key.Tenant, StringComparer.Ordinal).ThenBy(p => p.Key.Hour))
        {
            var series = Deduplicate(partition.Values);
            var name = BlockLayout.Level0(tenant, hour, shard, buffer.FirstPosition, buffer.LastPosition);
            using var content = new MemoryStream();
            await _writer.WriteAsync(series, content, cancellationToken).ConfigureAwait(false);
            await UploadAsync(name, content, shard, cancellationToken).ConfigureAwait(false);
            written.Add(name);
        }

        return written;
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
