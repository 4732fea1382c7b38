namespace PromLake.Log;

/// <summary>
/// Where a consumer (the compactor) records how far it has processed each shard.
/// A checkpoint is the position of the first event not yet processed.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>The stored checkpoint, or null when the consumer has none for the shard.</summary>
    ValueTask<long?> GetAsync(string consumer, int shard, CancellationToken cancellationToken = default);

    /// <summary>Durably stores the checkpoint; it never moves backwards.</summary>
    ValueTask CommitAsync(string consumer, int shard, long position, CancellationToken cancellationToken = default);
}
