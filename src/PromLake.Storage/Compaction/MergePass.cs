using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Merges the closed hours and days of the shards this instance owns. The caller holds each shard (its lease, or
/// the only process) and passes the shard's committed checkpoint; two merges never run on one shard at a time.
/// </summary>
/// <remarks>
/// <para>For each tenant and each stored day still within the tenant's retention, the day is listed once and, per
/// owned shard:</para>
/// <list type="bullet">
/// <item>once the day has been over for <see cref="CompactorOptions.DayMergeGrace"/> (or already has a day block of
/// the shard), everything of the shard in that day becomes one day block, a previous day block included;</item>
/// <item>otherwise every hour over for <see cref="CompactorOptions.HourMergeGrace"/> with a level-0 block (or more
/// than one hour block) becomes one hour block, a previous hour block included.</item>
/// </list>
/// <para>Only level-0 blocks whose last position is below the committed checkpoint are taken: the flush that wrote a
/// later one may still be replayed after a crash into differently bounded blocks, and a merged block must never
/// claim a position range (see <see cref="BlockRef.Covers"/>) whose blocks it has not all seen. Once a day block of
/// a shard exists its hours are never hour-merged again (an hour block would then overlap the day block without
/// either covering the other); late samples of that day go straight into the next day merge.</para>
/// </remarks>
public sealed partial class MergePass
{
    private readonly BlockCatalog _catalog;
    private readonly BlockMerge _merge;
    private readonly CompactorOptions _options;
    private readonly TenantRetention? _retention;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    public MergePass(BlobContainerClient container, CompactorOptions options, TenantRetention? retention, TimeProvider? clock, ILogger logger, BlockMerge? merge = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _retention = retention;
        _clock = clock ?? TimeProvider.System;
        _catalog = new BlockCatalog(container, _clock);
        _merge = merge ?? new BlockMerge(container, options.ReplicaLabels);
        _logger = logger;
    }

    /// <summary>
    /// Merges what is due for <paramref name="committed"/>'s shards (shard → committed checkpoint, the next position
    /// to read). Returns the merged blocks written (or completed). Cancellation may stop it between any two steps:
    /// that is safe, the next pass takes over.
    /// </summary>
    public async Task<List<BlockRef>> RunAsync(IReadOnlyDictionary<int, long> committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committed);
        var merged = new List<BlockRef>();
        if (committed.Count == 0)
        {
            return merged;
        }

        var now = _clock.GetUtcNow();
        foreach (var tenant in await _catalog.ListTenantsAsync(cancellationToken).ConfigureAwait(false))
        {
            var firstKept = _retention?.FirstKeptDay(tenant, now) ?? long.MinValue;
            foreach (var day in await _catalog.ListDaysAsync(tenant, cancellationToken).ConfigureAwait(false))
            {
                // Days past retention are the sweep's; merging them would only race with their deletion.
                if (day < firstKept)
                {
                    continue;
                }

                var blocks = await _catalog.ListDayAsync(tenant, day, cancellationToken).ConfigureAwait(false);
                foreach (var (shard, checkpoint) in committed)
                {
                    var taken = blocks.FindAll(b => b.Shard == shard && (b.Level != BlockLevel.Level0 || b.LastPosition < checkpoint));
                    await MergeShardDayAsync(tenant, day, taken, now, merged, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return merged;
    }

    private async Task MergeShardDayAsync(string tenant, long day, List<BlockRef> blocks, DateTimeOffset now, List<BlockRef> merged, CancellationToken cancellationToken)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        var dayOver = now.ToUnixTimeMilliseconds() >= day + BlockLayout.DayMs + (long)_options.DayMergeGrace.TotalMilliseconds;
        if (dayOver || blocks.Exists(b => b.Level == BlockLevel.Day))
        {
            if (blocks.Count > 1 || blocks[0].Level != BlockLevel.Day)
            {
                await MergeAsync(tenant, BlockLevel.Day, day, blocks, merged, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        foreach (var hour in blocks.GroupBy(b => b.PartitionStart).OrderBy(g => g.Key))
        {
            var hourOver = now.ToUnixTimeMilliseconds() >= hour.Key + BlockLayout.HourMs + (long)_options.HourMergeGrace.TotalMilliseconds;
            var sources = hour.ToList();
            if (hourOver && (sources.Count > 1 || sources[0].Level != BlockLevel.Hour))
            {
                await MergeAsync(tenant, BlockLevel.Hour, hour.Key, sources, merged, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One merge; a failure (storage, a blob held by someone) is logged and left to the next pass, so it never stops the others.</summary>
    private async Task MergeAsync(string tenant, BlockLevel level, long partition, List<BlockRef> sources, List<BlockRef> merged, CancellationToken cancellationToken)
    {
        try
        {
            var block = await _merge.MergeAsync(tenant, level, partition, sources, cancellationToken).ConfigureAwait(false);
            if (block is not null)
            {
                merged.Add(block);
                LogMerged(tenant, block.Shard, level, sources.Count, block.Name);
            }
        }
        catch (Azure.RequestFailedException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogMergeFailed(e, tenant, sources[0].Shard, level, sources[0].Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}, shard {Shard}: merged {Sources} block(s) into a {Level} block {Name}")]
    private partial void LogMerged(string tenant, int shard, BlockLevel level, int sources, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}, shard {Shard}: a {Level} merge (sources from {First}) failed; the next pass tries again")]
    private partial void LogMergeFailed(Exception exception, string tenant, int shard, BlockLevel level, string first);
}
