using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromLake.Log;
using PromLake.Storage.Parquet;

namespace PromLake.Storage.Compaction;

/// <summary>
/// The standalone server's compactor: one <see cref="ShardCompactor"/> per shard,
/// in the background, for as long as the host runs, and every
/// <see cref="CompactorOptions.MergeInterval"/> the hour and day merges and the
/// retention sweep over every shard (<see cref="BlockMaintenance"/>). The server is
/// the only owner of its shards, so its merges never race with another's. (In Azure
/// the same ShardCompactor and BlockMaintenance run from a timer function under
/// shard leases.)
/// </summary>
public sealed partial class CompactorService : BackgroundService
{
    private readonly ILogReader _log;
    private readonly ICheckpointStore _checkpoints;
    private readonly BlobContainerClient _container;
    private readonly CompactorOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly BlockMaintenance _maintenance;
    private readonly TimeProvider _clock;

    public CompactorService(ILogReader log, ICheckpointStore checkpoints, BlobContainerClient container, CompactorOptions options, ILoggerFactory loggers, TenantRetention? retention = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _maintenance = new BlockMaintenance(container, options, retention, _clock, loggers);
        _log = log;
        _checkpoints = checkpoints;
        _container = container;
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<CompactorService>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await EnsureContainerAsync(stoppingToken).ConfigureAwait(false);
        var flush = new L0Flush(_container, new SampleBlockWriter(SampleBlockWriterOptions.Level0));
        var shards = new Task[_log.ShardCount];
        for (var shard = 0; shard < shards.Length; shard++)
        {
            var compactor = new ShardCompactor(shard, _log, _checkpoints, flush, _options, _loggers.CreateLogger<ShardCompactor>());
            shards[shard] = Task.Run(() => compactor.RunAsync(stoppingToken), stoppingToken);
        }

        await Task.WhenAll([.. shards, Task.Run(() => MaintainAsync(stoppingToken), stoppingToken)]).ConfigureAwait(false);
    }

    /// <summary>Merges and sweeps every <see cref="CompactorOptions.MergeInterval"/>, with each shard's committed checkpoint.</summary>
    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(_options.MergeInterval, _clock, stoppingToken).ConfigureAwait(false);
            var committed = new Dictionary<int, long>();
            try
            {
                for (var shard = 0; shard < _log.ShardCount; shard++)
                {
                    committed[shard] = await _checkpoints.GetAsync(_options.Consumer, shard, stoppingToken).ConfigureAwait(false) ?? LogPosition.Start;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogCheckpointsUnavailable(e, _options.MergeInterval);
                continue;
            }

            await _maintenance.RunAsync(committed, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the container, waiting for storage to be reachable (Azurite may start after us).</summary>
    private async Task EnsureContainerAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogStorageUnavailable(e, _container.Uri, _options.RetryDelay);
                await Task.Delay(_options.RetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoints could not be read; merges wait {Delay}")]
    private partial void LogCheckpointsUnavailable(Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob storage at {Uri} is not reachable; the compactor retries in {Delay} (writes keep going into the log)")]
    private partial void LogStorageUnavailable(Exception exception, Uri uri, TimeSpan delay);
}
