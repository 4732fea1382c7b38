using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace PromLake.Log.Blobs;

/// <summary>
/// Consumers' checkpoints in blob storage, one small blob per consumer and shard at
/// <c>checkpoints/&lt;consumer&gt;/&lt;shard:D3&gt;</c> in the container (created if
/// missing). Every write is conditional on the ETag read just before it, so
/// concurrent writers never overwrite each other blindly, and the position never
/// moves backwards.
/// </summary>
/// <remarks>
/// <para>
/// The position is the blob's content, as decimal text, rather than metadata: one
/// Put Blob then creates or replaces content and metadata together under one
/// condition (metadata alone would need a create and then a Set Metadata), and
/// anyone can read it with a plain download. The metadata holds the claiming
/// owner's epoch (see <see cref="ClaimAsync"/>).
/// </para>
/// <para>
/// Two ways to commit. <see cref="CommitAsync(string, int, long, CancellationToken)"/>
/// (the <see cref="ICheckpointStore"/> one) is for a consumer that runs as a single
/// instance. A consumer that runs as several instances takes a <see cref="ShardLease"/>
/// per shard, reads its start with <see cref="ClaimAsync"/> and commits with
/// <see cref="CommitAsync(ShardLease, long, CancellationToken)"/>; once a checkpoint
/// has been claimed, commits without a lease are refused.
/// </para>
/// </remarks>
public sealed class BlobCheckpointStore : ICheckpointStore
{
    /// <summary>
    /// A conditional write fails only when another write succeeded in between, and a
    /// writer stops after its own success, so with up to this many concurrent writers
    /// every commit ends within this many tries. One owner per shard makes two rare.
    /// </summary>
    internal const int MaxWriteAttempts = 10;

    private static readonly BlobHttpHeaders TextContent = new() { ContentType = "text/plain; charset=us-ascii" };

    private readonly BlobContainerClient _container;
    private readonly TimeSpan _leaseDuration;

    /// <param name="container">The container, with the caller's choice of authentication
    /// (a connection string for Azurite, a managed identity in Azure).</param>
    /// <param name="options">Only <see cref="BlobCheckpointOptions.LeaseDuration"/> is used here.</param>
    public BlobCheckpointStore(BlobContainerClient container, BlobCheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        options ??= new BlobCheckpointOptions();
        options.Validate();
        _container = container;
        _leaseDuration = options.LeaseDuration;
    }

    public BlobContainerClient Container => _container;

    public async ValueTask<long?> GetAsync(string consumer, int shard, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(CheckpointBlobLayout.CheckpointBlob(consumer, shard));
        return (await ReadAsync(blob, cancellationToken).ConfigureAwait(false)).Position;
    }

    /// <summary>
    /// Stores the position unless the stored one is already at or past it. Refuses
    /// (InvalidOperationException) a checkpoint that an owner has claimed with a lease.
    /// </summary>
    public async ValueTask CommitAsync(string consumer, int shard, long position, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(CheckpointBlobLayout.CheckpointBlob(consumer, shard));
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            var stored = await ReadAsync(blob, cancellationToken).ConfigureAwait(false);
            if (stored.Epoch != 0)
            {
                throw new InvalidOperationException(
                    $"The checkpoint '{blob.Name}' was claimed by a shard lease (epoch {stored.Epoch}); commit it with that lease");
            }

            // Equal or older positions come from retries and restarts; dropping them keeps the checkpoint from moving backwards.
            if (stored.Position >= position)
            {
                return;
            }

            if (await TryWriteAsync(blob, position, epoch: 0, stored.ETag, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw TooManyConflicts(blob);
    }

    /// <summary>Takes ownership of the shard for this consumer (see <see cref="ShardLease.TryAcquireAsync"/>), with the configured lease duration.</summary>
    public Task<ShardLease?> TryAcquireLeaseAsync(string consumer, int shard, CancellationToken cancellationToken = default) =>
        ShardLease.TryAcquireAsync(_container, consumer, shard, _leaseDuration, cancellationToken);

    /// <summary>
    /// Makes the lease's owner the only one that can commit the shard's checkpoint,
    /// and returns the position to resume from (null when none was ever committed).
    /// Call it once after acquiring the lease, before reading the shard.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Why a claim. Blob storage checks a lease id only on the blob that carries the
    /// lease, so "commit only while owning the shard" cannot be a condition on the
    /// checkpoint write; checking the ownership lease first and then writing leaves a
    /// gap in which an owner that was paused (GC, a frozen VM, a slow request) writes
    /// after its lease expired and a new owner has started. So ownership is carried to
    /// the checkpoint blob as a fencing token: the claim is an ETag-conditioned write
    /// that stamps the owner's <see cref="ShardLease.Epoch"/> on the checkpoint, and a
    /// guarded commit is an ETag-conditioned write that succeeds only while the
    /// checkpoint still carries the committer's epoch. A smaller stamped epoch than
    /// the claimer's is replaced; a larger one means a later owner exists, and the
    /// claim or commit fails with <see cref="ShardLeaseLostException"/>.
    /// </para>
    /// <para>
    /// The guarantee. Every commit of earlier owners is ordered before the claim, and
    /// none can succeed after it; the claim returns the newest of them. So each range
    /// of positions is committed by exactly one owner, and a new owner resumes exactly
    /// where the last committed checkpoint says: no event is processed by two owners
    /// past a committed checkpoint, and none before it is ever processed again. What
    /// stays possible is at-least-once processing of the uncommitted tail: an old
    /// owner that has not yet noticed its loss may still read events past its last
    /// commit and write their output, but can never commit them, and the new owner
    /// processes them again (deterministic blob names and dedup make that harmless).
    /// </para>
    /// </remarks>
    public async ValueTask<long?> ClaimAsync(ShardLease lease, CancellationToken cancellationToken = default)
    {
        var blob = CheckpointOf(lease);
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            lease.ThrowIfLost();
            var stored = await ReadAsync(blob, cancellationToken).ConfigureAwait(false);
            ThrowIfFencedOff(lease, stored);
            if (stored.Epoch == lease.Epoch)
            {
                return stored.Position;
            }

            if (await TryWriteAsync(blob, stored.Position, lease.Epoch, stored.ETag, cancellationToken).ConfigureAwait(false))
            {
                return stored.Position;
            }
        }

        throw TooManyConflicts(blob);
    }

    /// <summary>
    /// Stores the position, only if the lease's owner is still the shard's owner
    /// (see <see cref="ClaimAsync"/> for what that guarantees); otherwise throws
    /// <see cref="ShardLeaseLostException"/> and cancels <see cref="ShardLease.OwnershipLost"/>.
    /// Older or equal positions are ignored.
    /// </summary>
    public async ValueTask CommitAsync(ShardLease lease, long position, CancellationToken cancellationToken = default)
    {
        var blob = CheckpointOf(lease);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            lease.ThrowIfLost();
            var stored = await ReadAsync(blob, cancellationToken).ConfigureAwait(false);
            ThrowIfFencedOff(lease, stored);
            if (stored.Epoch < lease.Epoch)
            {
                // Committing without a claim would let an earlier owner's commits land
                // after this owner chose where to start.
                throw new InvalidOperationException(
                    $"Shard {lease.Shard} of '{lease.Consumer}' has not been claimed by this lease (epoch {lease.Epoch}); call {nameof(ClaimAsync)} before committing");
            }

            if (stored.Position >= position)
            {
                return;
            }

            if (await TryWriteAsync(blob, position, lease.Epoch, stored.ETag, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw TooManyConflicts(blob);
    }

    private BlobClient CheckpointOf(ShardLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        // Epochs are counted per container; another container's would mean nothing here.
        if (lease.ContainerUri != _container.Uri)
        {
            throw new ArgumentException(
                $"The lease was taken in '{lease.ContainerUri}', not in this store's container '{_container.Uri}'", nameof(lease));
        }

        return _container.GetBlobClient(CheckpointBlobLayout.CheckpointBlob(lease.Consumer, lease.Shard));
    }

    private static void ThrowIfFencedOff(ShardLease lease, StoredCheckpoint stored)
    {
        if (stored.Epoch > lease.Epoch)
        {
            lease.MarkLost($"a later owner (epoch {stored.Epoch}) has claimed the checkpoint");
            throw new ShardLeaseLostException(lease.Consumer, lease.Shard, lease.LossReason);
        }
    }

    private static async ValueTask<StoredCheckpoint> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        BlobDownloadResult result;
        try
        {
            result = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (CheckpointBlobLayout.IsNotFound(e))
        {
            return new StoredCheckpoint(null, 0, null);
        }

        var epoch = CheckpointBlobLayout.Epoch(result.Details.Metadata, blob.Name);
        var content = result.Content.ToMemory().Span;
        if (content.IsEmpty)
        {
            // Claimed before anything was committed.
            return new StoredCheckpoint(null, epoch, result.Details.ETag);
        }

        if (!long.TryParse(content, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            throw new InvalidDataException($"The checkpoint blob '{blob.Name}' does not hold a position");
        }

        return new StoredCheckpoint(position, epoch, result.Details.ETag);
    }

    /// <summary>Writes if the blob is still as read (by ETag, or absent); false when another write came first.</summary>
    private async ValueTask<bool> TryWriteAsync(BlobClient blob, long? position, long epoch, ETag? readETag, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            Conditions = readETag is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All },
            Metadata = epoch == 0 ? null : CheckpointBlobLayout.EpochMetadataOf(epoch),
            HttpHeaders = TextContent,
        };
        var content = position is { } value ? BinaryData.FromString(value.ToString(CultureInfo.InvariantCulture)) : BinaryData.Empty;
        try
        {
            await blob.UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (CheckpointBlobLayout.IsWriteConflict(e))
        {
            return false;
        }
        catch (RequestFailedException e) when (readETag is null && CheckpointBlobLayout.IsContainerNotFound(e))
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    private static InvalidOperationException TooManyConflicts(BlobClient blob) =>
        new($"The checkpoint '{blob.Name}' changed under {MaxWriteAttempts} writes in a row; too many instances are writing it at once");

    private readonly record struct StoredCheckpoint(long? Position, long Epoch, ETag? ETag);
}
