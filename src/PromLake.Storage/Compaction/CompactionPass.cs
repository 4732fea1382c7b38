using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromLake.Log;
using PromLake.Log.Blobs;
using PromLake.Storage.Parquet;

namespace PromLake.Storage.Compaction;

/// <summary>
/// One bounded compaction pass over every shard this instance can take: the compactor of a host that runs it on a
/// schedule (the Functions timer) rather than in the background. Each shard runs the same <see cref="ShardCompactor"/>
/// loop for at most <see cref="CompactorOptions.MaxRunDuration"/> or until the shard is drained, flushes and commits,
/// and is let go before the pass returns. Shards are taken with <see cref="LeasedShardReader"/> when the checkpoints
/// are a <see cref="BlobCheckpointStore"/>, so passes on several instances at once split the shards between them and
/// never compact one shard twice at a time; with another checkpoint store (the local log's, one process) passes in
/// this process take turns per shard instead. While it still holds a shard, after the flush, the pass runs the
/// shard's hour and day merges (and, for shard 0, the retention sweep) for at most
/// <see cref="CompactorOptions.MaxMergeDuration"/> (<see cref="BlockMaintenance"/>): a merge of a shard runs only
/// where the shard is held, so two merges never race on one shard.
/// </summary>
public sealed partial class CompactionPass
{
    /// <summary>How long the final flush of a shard may retry after <see cref="CompactorOptions.MaxRunDuration"/> before the pass gives up (the next pass repeats the range).</summary>
    public static readonly TimeSpan FinalFlushGrace = TimeSpan.FromMinutes(1);

    private readonly ILogReader _log;
    private readonly ICheckpointStore _checkpoints;
    private readonly BlobContainerClient _container;
    private readonly CompactorOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly L0Flush _flush;
    private readonly BlockMaintenance _maintenance;
    private readonly SemaphoreSlim[] _localOwners;
    private volatile bool _containerExists;

    public CompactionPass(ILogReader log, ICheckpointStore checkpoints, BlobContainerClient container, CompactorOptions options, ILoggerFactory loggers, TenantRetention? retention = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _log = log;
        _checkpoints = checkpoints;
        _container = container;
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<CompactionPass>();
        _flush = new L0Flush(container, new SampleBlockWriter(SampleBlockWriterOptions.Level0));
        _maintenance = new BlockMaintenance(container, options, retention, clock, loggers);
        _localOwners = [.. Enumerable.Range(0, log.ShardCount).Select(_ => new SemaphoreSlim(1, 1))];
    }

    /// <summary>False when <c>PromLake:Compactor:Enabled</c> is false: passes then do nothing.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Whether shards are taken with blob leases (several instances) rather than per process.</summary>
    public bool UsesLeases => _checkpoints is BlobCheckpointStore;

    /// <summary>
    /// Compacts every shard it can take, in parallel, and returns when each is drained or out of time, flushed,
    /// committed and released. Throws (after every shard has finished) when a shard failed; a shard taken over by
    /// another instance meanwhile is not a failure.
    /// </summary>
    public async Task<CompactionPassResult> RunAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return new CompactionPassResult([], 0);
        }

        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(_options.MaxRunDuration + FinalFlushGrace + _options.MaxMergeDuration);
        await EnsureContainerAsync(hardStop.Token).ConfigureAwait(false);
        var runs = await Task.WhenAll(Enumerable.Range(0, _log.ShardCount).Select(shard => RunShardAsync(shard, hardStop.Token, cancellationToken))).ConfigureAwait(false);
        var owned = runs.OfType<ShardCompactionRun>().ToList();
        var result = new CompactionPassResult(owned, runs.Length - owned.Count);
        if (result.Events > 0 || result.MergedBlocks > 0)
        {
            LogPass(result.Shards.Count, result.Skipped, result.Events, result.Blobs, result.MergedBlocks);
        }

        return result;
    }

    private async Task<ShardCompactionRun?> RunShardAsync(int shard, CancellationToken hardStop, CancellationToken callerStop)
    {
        var compactor = new ShardCompactor(shard, _log, _checkpoints, _flush, _options, _loggers.CreateLogger<ShardCompactor>());
        try
        {
            if (_checkpoints is BlobCheckpointStore blobs)
            {
                var reader = await LeasedShardReader.TryAcquireAsync(_log, blobs, _options.Consumer, shard, hardStop).ConfigureAwait(false);
                if (reader is null)
                {
                    return null; // another instance owns it
                }

                // Disposing releases the lease: the next pass, here or elsewhere, takes the shard at once.
                await using (reader.ConfigureAwait(false))
                {
                    var run = await compactor.RunBoundedAsync(reader, _options.MaxRunDuration, hardStop).ConfigureAwait(false);
                    return run.OwnershipLost ? run : run with { MergedBlocks = await MaintainAsync(shard, reader.CommittedPosition, reader.OwnershipLost, hardStop).ConfigureAwait(false) };
                }
            }

            var owner = _localOwners[shard];
            if (!await owner.WaitAsync(TimeSpan.Zero, hardStop).ConfigureAwait(false))
            {
                return null; // an earlier pass of this process still runs it
            }

            try
            {
                var run = await compactor.RunBoundedAsync(_options.MaxRunDuration, hardStop).ConfigureAwait(false);
                var committed = await _checkpoints.GetAsync(_options.Consumer, shard, hardStop).ConfigureAwait(false) ?? LogPosition.Start;
                return run with { MergedBlocks = await MaintainAsync(shard, committed, CancellationToken.None, hardStop).ConfigureAwait(false) };
            }
            finally
            {
                owner.Release();
            }
        }
        catch (OperationCanceledException e) when (hardStop.IsCancellationRequested && !callerStop.IsCancellationRequested)
        {
            LogOutOfTime(e, shard, _options.MaxRunDuration + FinalFlushGrace + _options.MaxMergeDuration);
            throw new TimeoutException($"Shard {shard}: the compaction pass could not flush within {_options.MaxRunDuration + FinalFlushGrace + _options.MaxMergeDuration}; the next pass repeats the uncommitted range", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogShardFailed(e, shard);
            throw;
        }
    }

    /// <summary>The shard's merges (and retention, for shard 0) while the shard is still held, within their time budget.</summary>
    private async Task<int> MaintainAsync(int shard, long committed, CancellationToken ownershipLost, CancellationToken hardStop)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ownershipLost, hardStop);
        budget.CancelAfter(_options.MaxMergeDuration);
        return await _maintenance.RunAsync(new Dictionary<int, long> { [shard] = committed }, budget.Token).ConfigureAwait(false);
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerExists)
        {
            return;
        }

        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _containerExists = true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compaction pass: {Shards} shard(s) compacted, {Skipped} owned elsewhere; {Events} events into {Blobs} level-0 blobs; {Merged} merged blocks")]
    private partial void LogPass(int shards, int skipped, int events, int blobs, int merged);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: the pass ran out of time ({Limit}) before its flush succeeded; the next pass repeats the uncommitted range")]
    private partial void LogOutOfTime(Exception exception, int shard, TimeSpan limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shard {Shard}: the compaction pass failed")]
    private partial void LogShardFailed(Exception exception, int shard);
}

/// <summary>What one <see cref="CompactionPass"/> did: a run per shard it took, and how many shards it found owned elsewhere.</summary>
public sealed record CompactionPassResult(IReadOnlyList<ShardCompactionRun> Shards, int Skipped)
{
    public int Events => Shards.Sum(s => s.Events);

    public int Blobs => Shards.Sum(s => s.Blobs);

    public int MergedBlocks => Shards.Sum(s => s.MergedBlocks);
}

public static class CompactionPassServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="CompactionPass"/> over the host's log and checkpoint store, writing blocks to
    /// <c>PromLake:Storage</c>, configured by <c>PromLake:Compactor</c> (validated here). For hosts that run the
    /// compactor on a schedule; the standalone server's background compactor is <see cref="CompactionServiceCollectionExtensions.AddPromLakeCompactor"/>.
    /// </summary>
    public static IServiceCollection AddPromLakeCompactionPass(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(CompactorOptions.Section);
        var (options, store) = CompactionServiceCollectionExtensions.ReadOptions(configuration);
        services.AddSingleton(sp => new CompactionPass(
            sp.GetRequiredService<ILogReader>(),
            sp.GetRequiredService<ICheckpointStore>(),
            store.CreateContainerClient(),
            options,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<TenantRetention>(),
            sp.GetService<TimeProvider>())
        {
            Enabled = section.GetValue("Enabled", true),
        });
        return services;
    }
}
