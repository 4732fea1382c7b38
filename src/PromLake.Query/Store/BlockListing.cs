using System.Collections.Concurrent;
using PromLake.Storage.Compaction;

namespace PromLake.Query.Store;

/// <summary>
/// What one query reads from the store besides the blocks' contents: the compactor's
/// checkpoints (where the log tail starts) and, day by day, the blocks listed after those
/// checkpoints were read. The pairing is what makes a listing reusable: a block flushed after
/// a day was listed holds log positions at or past the checkpoints read before it, so a
/// query that reads the log tail from these checkpoints finds that block's samples in the
/// tail. Reusing a listing therefore costs a longer tail, never a missing sample, which is why
/// a listing is only reused for a short while (<see cref="BlockListingCache"/>).
/// </summary>
public sealed class BlockListing(long[]? tailStarts, DateTimeOffset checkpointsReadAt)
{
    private readonly ConcurrentDictionary<long, IReadOnlyList<BlockRef>> _days = new();

    /// <summary>Per shard, the log position the tail starts at; null without a log.</summary>
    public long[]? TailStarts { get; } = tailStarts;

    /// <summary>When <see cref="TailStarts"/> were read; every day listed here was listed after.</summary>
    public DateTimeOffset CheckpointsReadAt { get; } = checkpointsReadAt;

    /// <summary>Every block of the UTC day as listed (covered ones too: the catalog picks), in log order.</summary>
    public bool TryGetDay(long dayStartMs, out IReadOnlyList<BlockRef> blocks) => _days.TryGetValue(dayStartMs, out blocks!);

    public void AddDay(long dayStartMs, IReadOnlyList<BlockRef> blocks) => _days.TryAdd(dayStartMs, blocks);
}
