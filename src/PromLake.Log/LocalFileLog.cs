using System.Globalization;

namespace PromLake.Log;

/// <summary>
/// The standalone server's ingest log: append-only segment files on local disk,
/// one FasterLog per shard in <c>{Directory}/shard-NNN</c>. A publish completes
/// only once its events are on stable storage; concurrent publishes to a shard
/// share one commit. Reads return committed events only. Open one instance per
/// folder (it locks the folder) and dispose it to close the files.
/// </summary>
public sealed class LocalFileLog : ILogPublisher, ILogReader, IAsyncDisposable, IDisposable
{
    private const string ShardFolderPrefix = "shard-";

    private readonly LogShard[] _shards;
    private readonly DirectoryLock _lock;
    private readonly ActiveOperations _operations = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposeStarted;

    /// <summary>Opens (creating if needed) the log, recovering every shard to its last commit.</summary>
    public LocalFileLog(LocalLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        RootDirectory = Path.GetFullPath(options.Directory);
        ShardCount = options.ShardCount;
        DurableDirectory.Create(RootDirectory);
        _lock = DirectoryLock.Acquire(RootDirectory);
        _shards = new LogShard[ShardCount];
        var opened = 0;
        try
        {
            RefuseToStrandShards();
            for (; opened < ShardCount; opened++)
            {
                _shards[opened] = LogShard.Open(opened, Path.Combine(RootDirectory, ShardFolderName(opened)), options);
            }
        }
        catch
        {
            for (var i = 0; i < opened; i++)
            {
                _shards[i].DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            _lock.Dispose();
            _shutdown.Dispose();
            throw;
        }
    }

    public int ShardCount { get; }

    /// <summary>The log's root folder, as a full path.</summary>
    public string RootDirectory { get; }

    /// <summary>The name of a shard's folder under the root, e.g. <c>shard-007</c>.</summary>
    public static string ShardFolderName(int shard) => ShardFolderPrefix + shard.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>The largest event a publish may contain, set by <see cref="LocalLogOptions.PageSizeBits"/>.</summary>
    public int MaxEventBytes => _shards[0].MaxEventBytes;

    public ValueTask PublishAsync(int shard, IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken cancellationToken = default)
    {
        var target = ShardAt(shard);
        ArgumentNullException.ThrowIfNull(events);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposeStarted) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        return events.Count == 0 ? ValueTask.CompletedTask : PublishCoreAsync(target, events, cancellationToken);
    }

    public ValueTask<LogBatch> ReadAsync(int shard, long fromPosition, int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        var target = ShardAt(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        if (maxWait < TimeSpan.Zero && maxWait != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWait), maxWait, "The wait must be zero, positive or infinite");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposeStarted) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        return ReadCoreAsync(target, fromPosition, maxEvents, maxWait, cancellationToken);
    }

    /// <summary>
    /// The position after the shard's last committed event, or <see cref="LogPosition.Start"/> while
    /// it holds none (never written, or truncated up to its end): FasterLog's first position is not
    /// <see cref="LogPosition.Start"/>, and a reader from <see cref="LogPosition.Start"/> must not take
    /// the gap for events still to arrive.
    /// </summary>
    public ValueTask<long> GetEndPositionAsync(int shard, CancellationToken cancellationToken = default)
    {
        var target = ShardAt(shard);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposeStarted) != 0, this);
        var end = target.CommittedUntil;
        return ValueTask.FromResult(end == target.BeginPosition ? LogPosition.Start : end);
    }

    /// <summary>The first position of the shard still kept: where its first event is, until <see cref="TruncateBefore"/> moves it.</summary>
    public long GetBeginPosition(int shard) => ShardAt(shard).BeginPosition;

    /// <summary>
    /// Lets go of the shard's events before <paramref name="position"/>, which every reader
    /// must have passed: the disk space of whole segment files before it is freed at the next
    /// commit. Positions before the shard's beginning or past its end change nothing beyond it.
    /// </summary>
    public void TruncateBefore(int shard, long position)
    {
        var target = ShardAt(shard);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposeStarted) != 0, this);
        target.TruncateBefore(position);
    }

    /// <summary>
    /// Waits for running publishes to become durable, stops waiting reads (they throw
    /// <see cref="ObjectDisposedException"/>) and closes the files. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            await _disposed.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            await _shutdown.CancelAsync().ConfigureAwait(false);
            await _operations.CloseAndDrainAsync().ConfigureAwait(false);
            List<Exception>? failures = null;
            foreach (var shard in _shards)
            {
                try
                {
                    await shard.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    (failures ??= []).Add(e);
                }
            }

            _lock.Dispose();
            _shutdown.Dispose();
            if (failures is not null)
            {
                throw new AggregateException("The log did not close cleanly", failures);
            }
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>How many commits the shard has made since it was opened.</summary>
    internal long CommitCount(int shard) => ShardAt(shard).CommitCount;

    /// <summary>The folder holding the shard's segment files.</summary>
    internal string ShardDirectory(int shard) => ShardAt(shard).Directory;

    private async ValueTask PublishCoreAsync(LogShard shard, IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken cancellationToken)
    {
        _operations.Enter(nameof(LocalFileLog));
        try
        {
            await shard.PublishAsync(events, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _operations.Exit();
        }
    }

    private async ValueTask<LogBatch> ReadCoreAsync(LogShard shard, long fromPosition, int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        _operations.Enter(nameof(LocalFileLog));
        try
        {
            return await shard.ReadAsync(fromPosition, maxEvents, maxWait, cancellationToken, _shutdown.Token).ConfigureAwait(false);
        }
        finally
        {
            _operations.Exit();
        }
    }

    private LogShard ShardAt(int shard)
    {
        if ((uint)shard >= (uint)ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"The log has shards 0 to {ShardCount - 1}");
        }

        return _shards[shard];
    }

    private void RefuseToStrandShards()
    {
        foreach (var folder in new DirectoryInfo(RootDirectory).EnumerateDirectories(ShardFolderPrefix + "*"))
        {
            if (int.TryParse(folder.Name.AsSpan(ShardFolderPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var shard)
                && shard >= ShardCount)
            {
                throw new InvalidOperationException(
                    $"'{RootDirectory}' holds {folder.Name}, but {LocalLogOptions.Section}:{nameof(LocalLogOptions.ShardCount)} is {ShardCount}; lowering the shard count would strand that shard's events");
            }
        }
    }
}
