using System.Collections.Concurrent;
using Azure.Storage.Blobs;

namespace PromLake.Query.Store;

/// <summary>
/// Downloaded blocks by (name, ETag), bounded in bytes. Blocks are immutable once
/// written (a rewritten level-0 block has the same content and a new ETag), so a
/// cached copy is valid for as long as its ETag is the blob's.
/// </summary>
public sealed class BlockCache(long maxBytes = 512L * 1024 * 1024)
{
    private readonly ConcurrentDictionary<(string Name, string ETag), byte[]> _blocks = new();
    private long _bytes;

    public async Task<byte[]> GetAsync(BlobContainerClient container, string name, string etag, CancellationToken cancellationToken)
    {
        if (_blocks.TryGetValue((name, etag), out var cached))
        {
            return cached;
        }

        var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        var bytes = content.Value.Content.ToArray();
        if (Interlocked.Add(ref _bytes, bytes.Length) > maxBytes)
        {
            // Simple and safe: start over rather than track recency.
            _blocks.Clear();
            Interlocked.Exchange(ref _bytes, bytes.Length);
        }

        _blocks[(name, etag)] = bytes;
        return bytes;
    }
}
