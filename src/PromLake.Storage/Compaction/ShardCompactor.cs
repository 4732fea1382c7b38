using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PromLake.Log;
using PromLake.Log.Blobs;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Compacts one shard of the log: reads from the checkpoint, buffers events, and
/// every <see cref="CompactorOptions.FlushInterval"/> (or <see cref="CompactorOptions.FlushBytes"/>)
/// writes level-0 blocks and only then advances the checkpoint. A crash anywhere
/// repeats work from the last checkpoint; nothing acknowledged is skipped. When
/// blob storage is unreachable it keeps the buffer, waits and tries again; the
/// write path keeps accepting into the log meanwhile.
/// </summary>
/// <remarks>
/// Two ways to run the same loop: <see cref="RunAsync"/> for as long as the host runs (the
/// standalone server's background service), and <see cref="RunBoundedAsync(TimeSpan, CancellationToken)"/>
/// for a bounded time or until the shard is drained (the Functions timer), which flushes and
/// commits what it has buffered before it returns. Under a <see cref="LeasedShardReader"/> the
/// bounded run reads and commits through the lease, so only the shard's owner can commit.
/// </remarks>
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

    /// <summary>Compacts until <paramref name="cancellationToken"/> is cancelled; what is buffered then is left to the next run.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cursor = await CheckpointCursor.OpenAsync(this, cancellationToken).ConfigureAwait(false);
        await RunCoreAsync(cursor, bound: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Compacts from the checkpoint store's position for at most <paramref name="maxDuration"/>, or until a read
    /// finds nothing new within <see cref="CompactorOptions.DrainWait"/>; then flushes and commits what is buffered
    /// and returns. For a single owner of the shard (the local log's checkpoint store); with several instances use
    /// the overload that takes a <see cref="LeasedShardReader"/>. Cancellation stops at once, without a flush.
    /// </summary>
    public async Task<ShardCompactionRun> RunBoundedAsync(TimeSpan maxDuration, CancellationToken cancellationToken)
    {
        var cursor = await CheckpointCursor.OpenAsync(this, cancellationToken).ConfigureAwait(false);
        return await RunCoreAsync(cursor, new Bound(maxDuration, _options.DrainWait), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="RunBoundedAsync(TimeSpan, CancellationToken)"/>, reading from the lease's claimed checkpoint and
    /// committing through the lease. Stops without committing when the lease is lost
    /// (<see cref="ShardCompactionRun.OwnershipLost"/>): the next owner repeats the uncommitted tail. The caller keeps
    /// the reader and disposes it (releasing the lease) after this returns.
    /// </summary>
    public async Task<ShardCompactionRun> RunBoundedAsync(LeasedShardReader reader, TimeSpan maxDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.Shard != _shard)
        {
            throw new ArgumentException($"The reader owns shard {reader.Shard}, this compactor compacts shard {_shard}", nameof(reader));
        }

        using var owned = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, reader.OwnershipLost);
        try
        {
            var run = await RunCoreAsync(new LeasedCursor(reader), new Bound(maxDuration, _options.DrainWait), owned.Token).ConfigureAwait(false);
            return reader.OwnershipLost.IsCancellationRequested ? run with { OwnershipLost = true } : run;
        }
        catch (Exception e) when (e is ShardLeaseLostException || (e is OperationCanceledException && reader.OwnershipLost.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            LogOwnershipLost(e, _shard);
            return new ShardCompactionRun(_shard, 0, 0, reader.CommittedPosition, Drained: false, OwnershipLost: true);
        }
    }

    /// <summary>The compaction loop shared by every way of running it.</summary>
    private async Task<ShardCompactionRun> RunCoreAsync(ICursor cursor, Bound? bound, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var run = new ShardCompactionRun(_shard, 0, 0, cursor.Position, Drained: false, OwnershipLost: false);
        var buffer = new FlushBuffer();
        var bufferStarted = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            var untilFlush = _options.FlushInterval - Stopwatch.GetElapsedTime(bufferStarted);
            var wait = buffer.IsEmpty ? _options.FlushInterval : (untilFlush > TimeSpan.Zero ? untilFlush : TimeSpan.Zero);
            var left = TimeSpan.MaxValue;
            if (bound is not null)
            {
                // A bounded run waits at most DrainWait for news: an empty read then means the shard is drained.
                left = bound.MaxDuration - Stopwatch.GetElapsedTime(started);
                wait = Min(bound.DrainWait, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }

            LogBatch batch;
            try
            {
                batch = await cursor.ReadAsync(_options.ReadBatchSize, wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return run;
            }

            foreach (var record in batch.Records)
            {
                if (buffer.IsEmpty)
                {
                    bufferStarted = Stopwatch.GetTimestamp();
                }

                buffer.Add(record.Position, record.NextPosition, record.Payload.Span);
            }

            var drained = bound is not null && batch.Records.Count == 0 && left > TimeSpan.Zero;
            var stopping = bound is not null && (drained || Stopwatch.GetElapsedTime(started) >= bound.MaxDuration);
            var due = !buffer.IsEmpty
                && (stopping || buffer.Bytes >= _options.FlushBytes || Stopwatch.GetElapsedTime(bufferStarted) >= _options.FlushInterval);
            if (due)
            {
                var blobs = await FlushAsync(buffer, cursor, cancellationToken).ConfigureAwait(false);
                run = run with { Events = run.Events + buffer.Events, Blobs = run.Blobs + blobs, Position = buffer.NextPosition };
                buffer.Clear();
            }

            if (stopping)
            {
                return run with { Drained = drained };
            }
        }

        return run;
    }

    /// <summary>Writes the buffer's blocks, retrying until storage takes them, then commits the checkpoint.</summary>
    private async Task<int> FlushAsync(FlushBuffer buffer, ICursor cursor, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var written = await _flush.WriteAsync(buffer, _shard, cancellationToken).ConfigureAwait(false);
                BlobsWritten += written.Count;
                await cursor.CommitAsync(buffer.NextPosition, cancellationToken).ConfigureAwait(false);
                LogFlushed(_shard, buffer.Events, buffer.FirstPosition, buffer.LastPosition, written.Count);
                return written.Count;
            }
            catch (Exception e) when (e is not (OperationCanceledException or ShardLeaseLostException) || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A lost lease is not retried: another instance owns the shard and redoes this range.
                LogFlushFailed(e, _shard, _options.RetryDelay);
                await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: flushed {Events} events (positions {First}..{Last}) into {Blobs} level-0 blobs")]
    private partial void LogFlushed(int shard, int events, long first, long last, int blobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: flush failed; retrying in {Delay}")]
    private partial void LogFlushFailed(Exception exception, int shard, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: the lease was lost; stopped without committing (the new owner repeats the uncommitted tail)")]
    private partial void LogOwnershipLost(Exception exception, int shard);

    private sealed record Bound(TimeSpan MaxDuration, TimeSpan DrainWait);

    /// <summary>Where the loop reads from and commits to.</summary>
    private interface ICursor
    {
        /// <summary>Where the next read starts.</summary>
        long Position { get; }

        ValueTask<LogBatch> ReadAsync(int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken);

        ValueTask CommitAsync(long position, CancellationToken cancellationToken);
    }

    /// <summary>The log and the checkpoint store, for a single owner of the shard.</summary>
    private sealed class CheckpointCursor : ICursor
    {
        private readonly ShardCompactor _compactor;

        private CheckpointCursor(ShardCompactor compactor, long position)
        {
            _compactor = compactor;
            Position = position;
        }

        public long Position { get; private set; }

        public static async Task<CheckpointCursor> OpenAsync(ShardCompactor compactor, CancellationToken cancellationToken)
        {
            var position = await compactor._checkpoints.GetAsync(compactor._options.Consumer, compactor._shard, cancellationToken).ConfigureAwait(false)
                ?? LogPosition.Start;
            return new CheckpointCursor(compactor, position);
        }

        public async ValueTask<LogBatch> ReadAsync(int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken)
        {
            var batch = await _compactor._log.ReadAsync(_compactor._shard, Position, maxEvents, maxWait, cancellationToken).ConfigureAwait(false);
            Position = batch.NextPosition;
            return batch;
        }

        public ValueTask CommitAsync(long position, CancellationToken cancellationToken) =>
            _compactor._checkpoints.CommitAsync(_compactor._options.Consumer, _compactor._shard, position, cancellationToken);
    }

    /// <summary>A leased shard: reads from the claimed checkpoint, commits only while this instance owns the shard.</summary>
    private sealed class LeasedCursor(LeasedShardReader reader) : ICursor
    {
        public long Position => reader.NextPosition;

        public ValueTask<LogBatch> ReadAsync(int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken) =>
            reader.ReadAsync(maxEvents, maxWait, cancellationToken);

        public ValueTask CommitAsync(long position, CancellationToken cancellationToken) => reader.CommitAsync(position, cancellationToken);
    }
}

/// <summary>
/// What a bounded run of <see cref="ShardCompactor"/> did: events flushed, blobs written, the position it
/// reached (committed when anything was flushed), whether it stopped because the shard was drained (rather than
/// out of time), and whether it stopped because another instance took the shard.
/// </summary>
public sealed record ShardCompactionRun(int Shard, int Events, int Blobs, long Position, bool Drained, bool OwnershipLost)
{
    /// <summary>Hour and day blocks the pass merged for this shard after its run (<see cref="CompactionPass"/>).</summary>
    public int MergedBlocks { get; init; }
}
