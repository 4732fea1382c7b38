using PromLake.Log.Blobs;
using PromLake.Log.EventHubs;

namespace PromLake.Log;

/// <summary>
/// One consumer instance's exclusive hold on one shard: a blob lease, the
/// checkpoint claimed under it, and (with Event Hubs) a receiver whose owner
/// level is the lease's epoch. Reads continue from the claimed checkpoint;
/// commits succeed only while this instance is the newest owner. Another
/// instance takes the shard only after this one's lease lapses, and from then on
/// this one can neither commit nor keep reading the partition.
/// </summary>
public sealed class LeasedShardReader : IAsyncDisposable
{
    private readonly ILogReader _reader;
    private readonly BlobCheckpointStore _checkpoints;
    private readonly ShardLease _lease;

    private LeasedShardReader(ILogReader reader, BlobCheckpointStore checkpoints, ShardLease lease, long start)
    {
        _reader = reader;
        _checkpoints = checkpoints;
        _lease = lease;
        CommittedPosition = start;
        NextPosition = start;
    }

    public int Shard => _lease.Shard;

    /// <summary>Where the next read starts.</summary>
    public long NextPosition { get; private set; }

    /// <summary>The last checkpoint this owner claimed or committed.</summary>
    public long CommittedPosition { get; private set; }

    /// <summary>Cancelled when the lease is lost: stop processing the shard.</summary>
    public CancellationToken OwnershipLost => _lease.OwnershipLost;

    /// <summary>Takes the shard if no other instance holds it; null otherwise.</summary>
    public static async Task<LeasedShardReader?> TryAcquireAsync(
        ILogReader reader, BlobCheckpointStore checkpoints, string consumer, int shard, CancellationToken cancellationToken = default)
    {
        var lease = await checkpoints.TryAcquireLeaseAsync(consumer, shard, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return null;
        }

        try
        {
            var start = await checkpoints.ClaimAsync(lease, cancellationToken).ConfigureAwait(false) ?? LogPosition.Start;
            if (reader is EventHubsLogReader eventHubs)
            {
                eventHubs.SetOwnerLevel(shard, lease.Epoch);
            }

            return new LeasedShardReader(reader, checkpoints, lease, start);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<LogBatch> ReadAsync(int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        _lease.OwnershipLost.ThrowIfCancellationRequested();
        var batch = await _reader.ReadAsync(Shard, NextPosition, maxEvents, maxWait, cancellationToken).ConfigureAwait(false);
        NextPosition = batch.NextPosition;
        return batch;
    }

    /// <summary>Records that every event before <paramref name="position"/> is processed; throws <see cref="ShardLeaseLostException"/> if this instance no longer owns the shard.</summary>
    public async ValueTask CommitAsync(long position, CancellationToken cancellationToken = default)
    {
        await _checkpoints.CommitAsync(_lease, position, cancellationToken).ConfigureAwait(false);
        CommittedPosition = Math.Max(CommittedPosition, position);
    }

    /// <summary>For tests: behave like a crashed owner that stops renewing without releasing.</summary>
    internal void StopRenewingForTests() => _lease.StopRenewingForTests();

    public ValueTask DisposeAsync() => _lease.DisposeAsync();
}
