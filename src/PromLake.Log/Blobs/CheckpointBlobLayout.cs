using System.Buffers;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;

namespace PromLake.Log.Blobs;

/// <summary>
/// Where checkpoints and leases live in the container, and what their metadata means:
/// <code>
/// checkpoints/&lt;consumer&gt;/&lt;shard:D3&gt;   content: the position as decimal text; metadata epoch: the owner that claimed it
/// ownership/&lt;consumer&gt;/&lt;shard:D3&gt;     empty; leased by the owner; metadata epoch: how many times it was acquired
/// </code>
/// Delete an ownership blob only together with its checkpoint: a new one counts
/// epochs from 1 again, below the checkpoint's, and every new owner would be fenced off.
/// </summary>
internal static class CheckpointBlobLayout
{
    /// <summary>Metadata names must be C# identifiers; both blobs keep their epoch under this one.</summary>
    public const string EpochMetadata = "epoch";

    private const int MaxConsumerLength = 100;

    private static readonly SearchValues<char> ConsumerNameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    public static string CheckpointBlob(string consumer, int shard) => Path("checkpoints", consumer, shard);

    public static string OwnershipBlob(string consumer, int shard) => Path("ownership", consumer, shard);

    /// <summary>The epoch in a blob's metadata; 0 when it has none (never acquired or never claimed).</summary>
    public static long Epoch(IDictionary<string, string> metadata, string blobName)
    {
        if (!metadata.TryGetValue(EpochMetadata, out var text))
        {
            return 0;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            throw new InvalidDataException($"The blob '{blobName}' has an {EpochMetadata} metadata value that is not a number: '{text}'");
        }

        return epoch;
    }

    public static Dictionary<string, string> EpochMetadataOf(long epoch) =>
        new(StringComparer.OrdinalIgnoreCase) { [EpochMetadata] = epoch.ToString(CultureInfo.InvariantCulture) };

    public static bool IsNotFound(RequestFailedException e) => e.Status == 404;

    public static bool IsContainerNotFound(RequestFailedException e) =>
        e.Status == 404 && e.ErrorCode == BlobErrorCode.ContainerNotFound.ToString();

    /// <summary>
    /// A conditional write lost a race: the ETag moved on (412), or a create-only write
    /// (If-None-Match: *) found the blob already there (409 BlobAlreadyExists, or 412).
    /// </summary>
    public static bool IsWriteConflict(RequestFailedException e) =>
        e.Status == 412 || (e.Status == 409 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists.ToString());

    private static string Path(string root, string consumer, int shard)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        if (consumer.Length > MaxConsumerLength || consumer is "." or ".." || consumer.AsSpan().ContainsAnyExcept(ConsumerNameCharacters))
        {
            throw new ArgumentException(
                $"The consumer name '{consumer}' is not usable in a blob path: use up to {MaxConsumerLength} letters, digits, '.', '-' or '_'",
                nameof(consumer));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        return string.Create(CultureInfo.InvariantCulture, $"{root}/{consumer}/{shard:D3}");
    }
}
