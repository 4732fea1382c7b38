using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromLake.Log;
using PromLake.Storage.Parquet;

namespace PromLake.Storage.Compaction;

/// <summary>
/// The standalone server's compactor: one <see cref="ShardCompactor"/> per shard,
/// in the background, for as long as the host runs. (In Azure the same
/// ShardCompactor runs from a timer function under a shard lease.)
/// </summary>
public sealed partial class CompactorService : BackgroundService
{
    private readonly ILogReader _log;
    private readonly ICheckpointStore _checkpoints;
    private readonly BlobContainerClient _container;
    private readonly CompactorOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public CompactorService(ILogReader log, ICheckpointStore checkpoints, BlobContainerClient container, CompactorOptions options, ILoggerFactory loggers)
    {
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
        var flush = new L0Flush(_container, new SampleBlockWriter());
        var shards = new Task[_log.ShardCount];
        for (var shard = 0; shard < shards.Length; shard++)
        {
            var compactor = new ShardCompactor(shard, _log, _checkpoints, flush, _options, _loggers.CreateLogger<ShardCompactor>());
            shards[shard] = Task.Run(() => compactor.RunAsync(stoppingToken), stoppingToken);
        }

        await Task.WhenAll(shards).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob storage at {Uri} is not reachable; the compactor retries in {Delay} (writes keep going into the log)")]
    private partial void LogStorageUnavailable(Exception exception, Uri uri, TimeSpan delay);
}
