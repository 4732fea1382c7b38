namespace PromLake.Log;

/// <summary>
/// The read side of the ingest log, for the compactor: reads a shard from a
/// position in bounded batches.
/// </summary>
public interface ILogReader
{
    int ShardCount { get; }

    /// <summary>
    /// Reads up to <paramref name="maxEvents"/> durable events of the shard,
    /// starting at <paramref name="fromPosition"/> (use <see cref="LogPosition.Start"/>
    /// for the beginning). Waits up to <paramref name="maxWait"/> for at least
    /// one event; returns an empty batch when none arrives in that time.
    /// </summary>
    ValueTask<LogBatch> ReadAsync(int shard, long fromPosition, int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>
    /// The position after the last durable event of the shard now. A reader that
    /// must see everything acknowledged so far (a query reading the tail past the
    /// compactor's checkpoint) reads up to it: an empty batch alone does not prove
    /// the end, since a remote log may not have delivered its first events yet.
    /// </summary>
    ValueTask<long> GetEndPositionAsync(int shard, CancellationToken cancellationToken = default);
}

/// <summary>
/// Service keys of the log's readers. The compactor reads through the unkeyed
/// <see cref="ILogReader"/>; queries read the tail through the one keyed
/// <see cref="Query"/>, which with Event Hubs reads in a consumer group of its own.
/// </summary>
public static class LogReaders
{
    public const string Query = "query";
}

/// <summary>Where reading starts: the beginning of a shard.</summary>
public static class LogPosition
{
    public const long Start = 0;
}

/// <summary>One event read from a shard, with its position and the position after it.</summary>
public readonly record struct LogRecord(long Position, long NextPosition, ReadOnlyMemory<byte> Payload);

/// <summary>
/// A batch of events read from one shard. <see cref="NextPosition"/> is where the
/// next read continues (equal to the request's position when the batch is empty).
/// </summary>
public sealed record LogBatch(IReadOnlyList<LogRecord> Records, long NextPosition);
