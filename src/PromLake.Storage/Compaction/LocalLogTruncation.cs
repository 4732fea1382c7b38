using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromLake.Log;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Frees the standalone server's local log: once a minute each shard is truncated to where the
/// compactor's checkpoint stood <see cref="CompactorOptions.LocalLogKeep"/> ago. Everything before
/// that is in blocks, and no reader goes back that far: the compactor reads from its checkpoint
/// and queries from checkpoints at most a few seconds old. (Event Hubs drops old events by its own
/// retention: without a <see cref="LocalFileLog"/> this does nothing.)
/// </summary>
public sealed partial class LocalLogTruncation(LocalFileLog? log, ICheckpointStore checkpoints, CompactorOptions options, ILogger<LocalLogTruncation> logger, TimeProvider? clock = null)
    : BackgroundService
{
    /// <summary>How often the checkpoints are read and the shards truncated.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Checkpoints read at each pass, oldest first, until they are old enough to truncate to.</summary>
    private readonly Queue<(DateTimeOffset At, long[] Positions)> _seen = new();

    /// <summary>Reads the checkpoints and truncates every shard to those read at least <see cref="CompactorOptions.LocalLogKeep"/> ago.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (log is null)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        var current = new long[log.ShardCount];
        for (var shard = 0; shard < current.Length; shard++)
        {
            current[shard] = await checkpoints.GetAsync(options.Consumer, shard, cancellationToken).ConfigureAwait(false) ?? LogPosition.Start;
        }

        _seen.Enqueue((now, current));
        long[]? due = null;
        while (_seen.Count > 0 && _seen.Peek().At <= now - options.LocalLogKeep)
        {
            due = _seen.Dequeue().Positions;
        }

        if (due is null)
        {
            return;
        }

        for (var shard = 0; shard < due.Length; shard++)
        {
            if (due[shard] > log.GetBeginPosition(shard))
            {
                log.TruncateBefore(shard, due[shard]);
                LogTruncated(shard, due[shard]);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (log is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, _clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e); // the next pass tries again; the log only keeps more meanwhile
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Local log shard {Shard} truncated before position {Position}")]
    private partial void LogTruncated(int shard, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Truncating the local log failed; it keeps its events until the next pass")]
    private partial void LogFailed(Exception exception);
}
