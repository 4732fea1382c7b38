using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace PromLake.Storage.Compaction;

/// <summary>
/// What the compactor does to blocks after it has flushed: hour and day merges of the shards it holds
/// (<see cref="MergePass"/>) and, by the holder of shard 0 only so that one instance does it, the retention sweep
/// (<see cref="RetentionSweep"/>). Both hosts run this same code: the standalone server every
/// <see cref="CompactorOptions.MergeInterval"/> over all shards, the Functions timer after each leased shard's
/// bounded run. Failures are logged and left to the next run: every step is safe to stop at any point.
/// </summary>
public sealed partial class BlockMaintenance
{
    /// <summary>The shard whose holder sweeps retention: one shard, so one instance at a time.</summary>
    public const int RetentionShard = 0;

    private readonly MergePass _merges;
    private readonly RetentionSweep? _retention;
    private readonly ILogger _logger;

    public BlockMaintenance(BlobContainerClient container, CompactorOptions options, TenantRetention? retention, TimeProvider? clock, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _merges = new MergePass(container, options, retention, clock, loggers.CreateLogger<MergePass>());
        _retention = retention is null ? null : new RetentionSweep(container, retention, clock, loggers.CreateLogger<RetentionSweep>());
        _logger = loggers.CreateLogger<BlockMaintenance>();
    }

    /// <summary>
    /// Merges what is due in <paramref name="committed"/>'s shards (shard → committed checkpoint; the caller holds
    /// them) and sweeps retention when it holds <see cref="RetentionShard"/>. Returns the merged blocks written.
    /// Stops quietly when <paramref name="cancellationToken"/> fires (a time budget or a lost lease).
    /// </summary>
    public async Task<int> RunAsync(IReadOnlyDictionary<int, long> committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committed);
        var merged = 0;
        try
        {
            merged = (await _merges.RunAsync(committed, cancellationToken).ConfigureAwait(false)).Count;
            if (_retention is not null && committed.ContainsKey(RetentionShard))
            {
                await _retention.RunAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogCutShort();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(e);
        }

        return merged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Merges stopped before they were done (out of time or the lease went); the next run goes on")]
    private partial void LogCutShort();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merges or the retention sweep failed; the next run tries again")]
    private partial void LogFailed(Exception exception);
}
