using System.Collections.Concurrent;

namespace PromLake.Query.Store;

/// <summary>
/// What one query reads from the store besides the blocks' contents: the compactor's
/// checkpoints (where the log tail starts) and, hour by hour, the blocks listed after those
/// checkpoints were read. The pairing is what makes a listing reusable: a block flushed after
/// an hour was listed holds log positions at or past the checkpoints read before it, so a
/// query that reads the log tail from these checkpoints finds that block's samples in the
/// tail. Reusing a listing therefore costs a longer tail, never a missing sample, which is why
/// a listing is only reused for a short while (<see cref="BlockListingCache"/>).
/// </summary>
public sealed class BlockListing(long[]? tailStarts, DateTimeOffset checkpointsReadAt)
{
    private readonly ConcurrentDictionary<long, IReadOnlyList<BlockName>> _hours = new();

    /// <summary>Per shard, the log position the tail starts at; null without a log.</summary>
    public long[]? TailStarts { get; } = tailStarts;

    /// <summary>When <see cref="TailStarts"/> were read; every hour listed here was listed after.</summary>
    public DateTimeOffset CheckpointsReadAt { get; } = checkpointsReadAt;

    public bool TryGetHour(long hourStartMs, out IReadOnlyList<BlockName> blocks) => _hours.TryGetValue(hourStartMs, out blocks!);

    public void AddHour(long hourStartMs, IReadOnlyList<BlockName> blocks) => _hours.TryAdd(hourStartMs, blocks);
}

/// <summary>A block as listed: its blob name and the ETag it had then.</summary>
public readonly record struct BlockName(string Name, string ETag);
