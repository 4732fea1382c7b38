using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PromLake.Log;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Compacts one shard of the log: reads from the checkpoint, buffers events, and
/// every <see cref="CompactorOptions.FlushInterval"/> (or <see cref="CompactorOptions.FlushBytes"/>)
/// writes level-0 blocks and only then advances the checkpoint. A crash anywhere
/// repeats work from the last checkpoint; nothing acknowledged is skipped. When
/// blob storage is unreachable it keeps the buffer, waits and tries again; the
/// write path keeps accepting into the log meanwhile.
/// </summary>
public sealed partial class ShardCompactor
{
    private readonly ILogReader _log;
    private readonly ICheckpointStore _checkpoints;
    private readonly L0Flush _flush;
    private readonly CompactorOptions _options;
    private readonly ILogger _logger;
    private readonly int _shard;

    public ShardCompactor(int shard, ILogReader log, ICheckpointStore checkpoints, L0Flush flush, CompactorOptions options, ILogger logger)
    {
        _shard = shard;
        _log = log;
        _checkpoints = checkpoints;
        _flush = flush;
        _options = options;
        _logger = logger;
    }

    /// <summary>Blobs written so far by this instance (for tests and metrics).</summary>
    public int BlobsWritten { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var position = await _checkpoints.GetAsync(_options.Consumer, _shard, cancellationToken).ConfigureAwait(false) ?? LogPosition.Start;
        var buffer = new FlushBuffer();
        var bufferStarted = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            var untilFlush = _options.FlushInterval - Stopwatch.GetElapsedTime(bufferStarted);
            var wait = buffer.IsEmpty ? _options.FlushInterval : (untilFlush > TimeSpan.Zero ? untilFlush : TimeSpan.Zero);
            LogBatch batch;
            try
            {
                batch = await _log.ReadAsync(_shard, position, _options.ReadBatchSize, wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            foreach (var record in batch.Records)
            {
                if (buffer.IsEmpty)
                {
                    bufferStarted = Stopwatch.GetTimestamp();
                }

                buffer.Add(record.Position, record.NextPosition, record.Payload.Span);
            }

            position = batch.NextPosition;
            var due = !buffer.IsEmpty
                && (buffer.Bytes >= _options.FlushBytes || Stopwatch.GetElapsedTime(bufferStarted) >= _options.FlushInterval);
            if (due)
            {
                await FlushAsync(buffer, cancellationToken).ConfigureAwait(false);
                buffer = new FlushBuffer();
            }
        }
    }

    /// <summary>Writes the buffer's blocks, retrying until storage takes them, then commits the checkpoint.</summary>
    private async Task FlushAsync(FlushBuffer buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var written = await _flush.WriteAsync(buffer, _shard, cancellationToken).ConfigureAwait(false);
                BlobsWritten += written.Count;
                await _checkpoints.CommitAsync(_options.Consumer, _shard, buffer.NextPosition, cancellationToken).ConfigureAwait(false);
                LogFlushed(_shard, buffer.Events, buffer.FirstPosition, buffer.LastPosition, written.Count);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogFlushFailed(e, _shard, _options.RetryDelay);
                await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: flushed {Events} events (positions {First}..{Last}) into {Blobs} level-0 blobs")]
    private partial void LogFlushed(int shard, int events, long first, long last, int blobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: flush failed; retrying in {Delay}")]
    private partial void LogFlushFailed(Exception exception, int shard, TimeSpan delay);
}
