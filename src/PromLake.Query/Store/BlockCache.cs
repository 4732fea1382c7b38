using System.Diagnostics.CodeAnalysis;
using Azure.Storage.Blobs;

namespace PromLake.Query.Store;

/// <summary>
/// Decoded blocks (<see cref="DecodedBlock"/>) by (account and container, blob name, ETag),
/// bounded by their estimated size on the heap, least recently used evicted first. A warm
/// query then neither downloads nor decodes Parquet: what Thanos's and Mimir's store gateways
/// keep in memory. Blocks are immutable once written (a rewritten level-0 block has the same
/// content and a new ETag), so a cached block is valid for as long as its ETag is the blob's;
/// the blob name starts with the tenant, so tenants never share an entry.
/// </summary>
public sealed class BlockCache(long maxBytes = BlockCache.DefaultMaxBytes)
{
    /// <summary>1 GiB: a day of 10,000 series at one sample a minute takes about a quarter of it.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    private readonly object _gate = new();
    private readonly Dictionary<(string Container, string Name, string ETag), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    /// <summary>Blocks downloaded and decoded since start (cache misses).</summary>
    public long Decoded { get; private set; }

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The block if it is cached (then the most recently used).</summary>
    public bool TryGet(BlobContainerClient container, string name, string etag, [NotNullWhen(true)] out DecodedBlock? block)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((container.Uri.AbsoluteUri, name, etag), out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                block = node.Value.Block;
                return true;
            }
        }

        block = null;
        return false;
    }

    /// <summary>The block, from the cache or downloaded and decoded (then cached).</summary>
    public async ValueTask<DecodedBlock> GetAsync(BlobContainerClient container, string name, string etag, CancellationToken cancellationToken)
    {
        if (TryGet(container, name, etag, out var cached))
        {
            return cached;
        }

        var key = (container.Uri.AbsoluteUri, name, etag);

        var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        using var stream = content.Value.Content.ToStream();
        var block = await DecodedBlock.DecodeAsync(stream, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            Decoded++;
            if (_entries.ContainsKey(key) || block.EstimatedBytes > maxBytes)
            {
                return block; // decoded twice by concurrent queries, or too large to keep
            }

            _entries[key] = _recency.AddFirst(new Entry(key, block));
            _bytes += block.EstimatedBytes;
            while (_bytes > maxBytes && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Block.EstimatedBytes;
            }
        }

        return block;
    }

    private sealed record Entry((string Container, string Name, string ETag) Key, DecodedBlock Block);
}
