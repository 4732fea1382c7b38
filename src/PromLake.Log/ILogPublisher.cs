namespace PromLake.Log;

/// <summary>
/// The write side of the ingest log: appends events to one shard. A shard is a
/// totally ordered, durable sequence of events (a FasterLog directory locally,
/// an Event Hubs partition in Azure).
/// </summary>
public interface ILogPublisher
{
    /// <summary>The number of shards; shard indexes are 0 .. ShardCount-1.</summary>
    int ShardCount { get; }

    /// <summary>
    /// Appends the events, in order, to the shard. The task completes only when
    /// every event is durable (fsynced locally, acknowledged by the broker in
    /// Azure). A failure means none or some of the events may be stored; the
    /// caller must not acknowledge the write and the sender will retry, which
    /// downstream deduplication absorbs.
    /// </summary>
    ValueTask PublishAsync(int shard, IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken cancellationToken = default);
}
