using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace PromLake.Log.Blobs;

/// <summary>
/// Ownership of one shard by one consumer instance: a lease on the blob
/// <c>ownership/&lt;consumer&gt;/&lt;shard:D3&gt;</c>, renewed in the background until
/// the lease is disposed (which releases it). Two instances never hold it at once;
/// a crashed owner's shard is free again one lease duration after its last renewal.
/// </summary>
/// <remarks>
/// <para>
/// Each acquisition gets an <see cref="Epoch"/>, one more than the previous owner's,
/// stored on the ownership blob with a write that carries the lease id, so no two
/// acquisitions share a number and a later owner always has a larger one. The epoch
/// is what makes checkpoint commits safe (see <see cref="BlobCheckpointStore.ClaimAsync"/>):
/// a lease id is checked only on the blob that carries the lease, so it cannot guard
/// a write to the checkpoint blob.
/// </para>
/// <para>
/// The owner gives up on its own before the lease can expire: <see cref="OwnershipLost"/>
/// is cancelled when a renewal is refused (someone else took the lease) and also when
/// renewals have failed for five sixths of the lease duration since the last renewal
/// was sent, so it stops while the lease is still its own at the server.
/// </para>
/// </remarks>
public sealed class ShardLease : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfterFailedRenewal = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    private readonly BlobLeaseClient _lease;
    private readonly TimeSpan _renewEvery;
    private readonly TimeSpan _ownedFor;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private Task _renewing = Task.CompletedTask;
    private string? _lossReason;
    private int _disposed;

    private ShardLease(BlobContainerClient container, BlobLeaseClient lease, string consumer, int shard, long epoch, TimeSpan duration)
    {
        ContainerUri = container.Uri;
        _lease = lease;
        Consumer = consumer;
        Shard = shard;
        Epoch = epoch;
        Duration = duration;
        _renewEvery = duration / 3;
        _ownedFor = duration - (duration / 6);
    }

    public string Consumer { get; }

    public int Shard { get; }

    /// <summary>This acquisition's number: larger than that of every earlier owner of the shard.</summary>
    public long Epoch { get; }

    /// <summary>The lease id at the blob service (a fresh GUID per acquisition).</summary>
    public string LeaseId => _lease.LeaseId;

    public TimeSpan Duration { get; }

    /// <summary>
    /// Cancelled once this instance may no longer own the shard: the lease was
    /// taken, lapsed, refused a guarded commit, or was disposed. Processing of the
    /// shard should run under this token.
    /// </summary>
    public CancellationToken OwnershipLost => _lost.Token;

    public bool IsOwned => !_lost.IsCancellationRequested;

    internal Uri ContainerUri { get; }

    /// <summary>
    /// Takes ownership of the shard if no other instance holds it, creating the
    /// container and the ownership blob when missing; null when another instance
    /// holds the lease. Does not wait.
    /// </summary>
    public static async Task<ShardLease?> TryAcquireAsync(
        BlobContainerClient container, string consumer, int shard, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        var blob = container.GetBlobClient(CheckpointBlobLayout.OwnershipBlob(consumer, shard));
        ThrowIfInvalidDuration(leaseDuration);

        var leaseClient = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        long acquiredAt;
        for (var attempt = 0; ; attempt++)
        {
            acquiredAt = Stopwatch.GetTimestamp();
            try
            {
                await leaseClient.AcquireAsync(leaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (RequestFailedException e) when (e.Status == 409
                && (e.ErrorCode == BlobErrorCode.LeaseAlreadyPresent.ToString() || e.ErrorCode == BlobErrorCode.LeaseIsBreakingAndCannotBeAcquired.ToString()))
            {
                return null;
            }
            catch (RequestFailedException e) when (attempt == 0 && CheckpointBlobLayout.IsNotFound(e))
            {
                await CreateOwnershipBlobAsync(container, blob, cancellationToken).ConfigureAwait(false);
            }
        }

        try
        {
            var epoch = await NextEpochAsync(blob, leaseClient.LeaseId, cancellationToken).ConfigureAwait(false);
            if (epoch is null)
            {
                await TryReleaseAsync(leaseClient).ConfigureAwait(false);
                return null;
            }

            var lease = new ShardLease(container, leaseClient, consumer, shard, epoch.Value, leaseDuration);
            lease.StartRenewing(acquiredAt);
            return lease;
        }
        catch
        {
            await TryReleaseAsync(leaseClient).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits until ownership of the shard is had. A held lease frees up when its
    /// owner releases it or one lease duration after its last renewal, so this tries
    /// again every third of <paramref name="leaseDuration"/>.
    /// </summary>
    public static async Task<ShardLease> AcquireAsync(
        BlobContainerClient container, string consumer, int shard, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var lease = await TryAcquireAsync(container, consumer, shard, leaseDuration, cancellationToken).ConfigureAwait(false);
            if (lease is not null)
            {
                return lease;
            }

            await Task.Delay(leaseDuration / 3, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops renewing and releases the lease, so another instance can take the shard at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopRenewing.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        // Whoever processes under the token stops before the shard can have a new owner.
        MarkLost("the lease was released");
        await TryReleaseAsync(_lease).ConfigureAwait(false);
        // _lost stays undisposed: callers may still hold its token, and a cancelled
        // source has already let go of its timer.
        _stopRenewing.Dispose();
    }

    /// <summary>Records that the shard is no longer owned (for example a guarded commit was fenced off).</summary>
    internal void MarkLost(string reason)
    {
        Interlocked.CompareExchange(ref _lossReason, reason, null);
        _lost.Cancel();
    }

    internal void ThrowIfLost()
    {
        if (_lost.IsCancellationRequested)
        {
            throw new ShardLeaseLostException(Consumer, Shard, LossReason);
        }
    }

    internal string LossReason =>
        _lossReason ?? $"the lease was not renewed within {_ownedFor.TotalSeconds:0.#} s, so it may have expired at the server";

    /// <summary>Simulates an owner that hangs or cannot reach storage: renewals stop, the lease is not released.</summary>
    internal void StopRenewingForTests() => _stopRenewing.Cancel();

    private void StartRenewing(long acquiredAt)
    {
        OwnedUntil(acquiredAt);
        _renewing = Task.Run(() => RenewLoopAsync(acquiredAt));
    }

    private async Task RenewLoopAsync(long renewedAt)
    {
        var stop = _stopRenewing.Token;
        var delay = _renewEvery;
        while (true)
        {
            try
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var sentAt = Stopwatch.GetTimestamp();
            var left = _ownedFor - Stopwatch.GetElapsedTime(renewedAt, sentAt);
            if (_lost.IsCancellationRequested || left <= TimeSpan.Zero)
            {
                MarkLost(LossReason);
                return;
            }

            try
            {
                // A request still hanging when the owned time runs out is as good as failed.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
                attempt.CancelAfter(left);
                await _lease.RenewAsync(cancellationToken: attempt.Token).ConfigureAwait(false);
                renewedAt = sentAt;
                OwnedUntil(sentAt);
                delay = _renewEvery;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
            {
                // 409: another instance holds the lease (it expired and was taken, or was
                // broken); 404: the ownership blob is gone. Either way the shard is not ours.
                MarkLost($"renewing the lease was refused ({e.Status} {e.ErrorCode})");
                return;
            }
            catch (Exception)
            {
                // Storage unreachable, throttled or slow: keep trying while the owned time lasts.
                delay = RetryAfterFailedRenewal < _renewEvery ? RetryAfterFailedRenewal : _renewEvery;
            }
        }
    }

    // The server counts the lease from when it handled the request, which is after it
    // was sent, so measuring from the send keeps the owner's deadline earlier than the server's.
    private void OwnedUntil(long sentAt)
    {
        var left = _ownedFor - Stopwatch.GetElapsedTime(sentAt);
        if (left <= TimeSpan.Zero)
        {
            MarkLost(LossReason);
        }
        else
        {
            _lost.CancelAfter(left);
        }
    }

    private static async Task<long?> NextEpochAsync(BlobClient blob, string leaseId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            var epoch = CheckpointBlobLayout.Epoch(properties.Metadata, blob.Name) + 1;
            var conditions = new BlobRequestConditions { LeaseId = leaseId, IfMatch = properties.ETag };
            await blob.SetMetadataAsync(CheckpointBlobLayout.EpochMetadataOf(epoch), conditions, cancellationToken).ConfigureAwait(false);
            return epoch;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // The lease lapsed between acquiring and numbering it and another instance
            // took it (and numbered its own acquisition): it is theirs.
            return null;
        }
    }

    private static async Task CreateOwnershipBlobAsync(BlobContainerClient container, BlobClient blob, CancellationToken cancellationToken)
    {
        var createOnly = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await blob.UploadAsync(BinaryData.Empty, createOnly, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when (CheckpointBlobLayout.IsWriteConflict(e))
            {
                return; // another instance created it first
            }
            catch (RequestFailedException e) when (attempt == 0 && CheckpointBlobLayout.IsContainerNotFound(e))
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task TryReleaseAsync(BlobLeaseClient lease)
    {
        try
        {
            using var timeout = new CancellationTokenSource(ReleaseTimeout);
            await lease.ReleaseAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already taken by another instance, or storage is unreachable: the lease
            // then expires by itself, one duration after the last renewal.
        }
    }

    internal static void ThrowIfInvalidDuration(TimeSpan leaseDuration)
    {
        if (leaseDuration < BlobCheckpointOptions.MinLeaseDuration || leaseDuration > BlobCheckpointOptions.MaxLeaseDuration
            || leaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(leaseDuration), leaseDuration,
                $"A blob lease lasts whole seconds from {BlobCheckpointOptions.MinLeaseDuration.TotalSeconds} to {BlobCheckpointOptions.MaxLeaseDuration.TotalSeconds}");
        }
    }
}
