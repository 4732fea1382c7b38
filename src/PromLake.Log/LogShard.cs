using FASTER.core;

namespace PromLake.Log;

/// <summary>
/// One shard of the local log: a FasterLog over append-only segment files
/// (<c>log.0</c>, <c>log.1</c>, ...) in the shard's own folder, with its commit
/// record file, its group committer and a reader cached for sequential reads.
/// </summary>
internal sealed class LogShard : IAsyncDisposable
{
    private const string SegmentFilePrefix = "log";
    private const string CommitFileName = "commit";

    private readonly IDevice _device;
    private readonly CommitRecordFile _commits;
    private readonly FasterLog _log;
    private readonly GroupCommitter _committer;
    private readonly long _pageBytes;

    // The compactor reads each shard sequentially, so the iterator (and its page
    // buffers) is kept for the next read that starts where the last one ended.
    private readonly SemaphoreSlim _cachedReaderGate = new(1, 1);
    private FasterLogScanIterator? _cachedReader;

    private LogShard(int index, string directory, IDevice device, CommitRecordFile commits, FasterLog log, long pageBytes)
    {
        Index = index;
        Directory = directory;
        _device = device;
        _commits = commits;
        _log = log;
        _pageBytes = pageBytes;
        // A record must fit in a page, header included; lengths are padded to 4 bytes.
        MaxEventBytes = (int)(pageBytes - log.HeaderSize);
        _committer = new GroupCommitter($"shard {index}", log.CommittedUntilAddress, CommitAsync);
    }

    public int Index { get; }

    public string Directory { get; }

    public int MaxEventBytes { get; }

    public long CommitCount => _committer.CommitCount;

    /// <summary>The address after the last committed event: what reads can return now.</summary>
    public long CommittedUntil => _log.CommittedUntilAddress;

    /// <summary>The first position still kept: everything before it has been truncated away.</summary>
    public long BeginPosition => _log.BeginAddress;

    /// <summary>
    /// Lets go of the events before <paramref name="position"/> (kept from the start of its
    /// page on, since only a page start or an event's start is a valid begin). A commit makes
    /// the new beginning durable and then deletes the segment files wholly before it; reads
    /// from before it fail.
    /// </summary>
    public void TruncateBefore(long position)
    {
        position = Math.Min(position, _log.CommittedUntilAddress);
        if (position > _log.BeginAddress)
        {
            _log.TruncateUntilPageStart(position);
            _log.Commit(); // an idle shard would otherwise keep the files until its next publish
        }
    }

    public static LogShard Open(int index, string directory, LocalLogOptions options)
    {
        DurableDirectory.Create(directory);
        var commitPath = Path.Combine(directory, CommitFileName);
        if (!File.Exists(commitPath) && HasSegmentData(directory))
        {
            throw new InvalidDataException(
                $"'{directory}' has segment files but no commit record file '{CommitFileName}'; refusing to open the shard, which would overwrite its events");
        }

        var commits = new CommitRecordFile(commitPath, directory, options.SegmentSizeBits);
        IDevice? device = null;
        FasterLog? log = null;
        try
        {
            // Durability on Linux: Devices.CreateLogDevice gives a ManagedLocalStorageDevice,
            // which opens segment files with FileOptions.WriteThrough and never calls
            // fsync (its FlushAsync after a write only empties .NET's buffer). .NET maps
            // WriteThrough to O_SYNC (checked with strace: openat(.., O_WRONLY|O_CREAT|O_SYNC)),
            // so each page write returns only once the data and the file size are on
            // stable storage, and a commit is reported only after those writes complete.
            // Two gaps remain, both closed by CommitRecordFile: FASTER's commit files are
            // created per commit with the folder never fsynced, and so are new segment
            // files. DurabilityTests checks the O_SYNC flag on the open segment files.
            // (On Windows it gives the native LocalStorageDevice: unbuffered and write-through.)
            device = Devices.CreateLogDevice(Path.Combine(directory, SegmentFilePrefix));
            log = new FasterLog(new FasterLogSettings
            {
                LogDevice = device,
                LogCommitManager = commits,
                PageSizeBits = options.PageSizeBits,
                MemorySizeBits = options.MemorySizeBits,
                SegmentSizeBits = options.SegmentSizeBits,
                // Lets a scan of pages read back from disk detect damaged records.
                LogChecksum = LogChecksumType.PerEntry,
                // The constructor's own recovery swallows errors and starts an empty log,
                // whose appends would overwrite the committed events; Recover() throws.
                TryRecoverLatest = false,
            });
            log.Recover();
            return new LogShard(index, directory, device, commits, log, 1L << options.PageSizeBits);
        }
        catch
        {
            log?.Dispose();
            device?.Dispose();
            commits.Dispose();
            throw;
        }
    }

    /// <summary>Appends the events in order and completes once they are durable.</summary>
    public async ValueTask PublishAsync(IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken cancellationToken)
    {
        var count = events.Count;
        long totalBytes = 0;
        for (var i = 0; i < count; i++)
        {
            var length = events[i].Length;
            // FasterLog reads a zero length as "rest of page unused" and would skip the events after it.
            if (length == 0)
            {
                throw new ArgumentException($"Event {i} is empty; the log cannot store empty events", nameof(events));
            }

            if (length > MaxEventBytes)
            {
                throw new ArgumentException(
                    $"Event {i} is {length} bytes; this log takes events of up to {MaxEventBytes} bytes ({LocalLogOptions.Section}:{nameof(LocalLogOptions.PageSizeBits)})",
                    nameof(events));
            }

            totalBytes += RecordBytes(length);
        }

        long end;
        if (count == 1)
        {
            end = await _log.EnqueueAsync(events[0], cancellationToken).ConfigureAwait(false) + totalBytes;
        }
        else if (totalBytes <= _pageBytes)
        {
            end = await _log.EnqueueAsync(new EventSpanBatch(events), cancellationToken).ConfigureAwait(false) + totalBytes;
        }
        else
        {
            // More than a page cannot be one atomic batch; appended one by one, the events
            // keep their order but another publish's events may come between them.
            end = 0;
            for (var i = 0; i < count; i++)
            {
                var start = await _log.EnqueueAsync(events[i], cancellationToken).ConfigureAwait(false);
                end = start + RecordBytes(events[i].Length);
            }
        }

        await _committer.WaitForCommitAsync(end, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads up to <paramref name="maxEvents"/> committed events from the position.</summary>
    public async ValueTask<LogBatch> ReadAsync(
        long fromPosition, int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken, CancellationToken shutdown)
    {
        var committedUntil = _log.CommittedUntilAddress;
        if (fromPosition > committedUntil)
        {
            throw new ArgumentOutOfRangeException(
                nameof(fromPosition), fromPosition, $"The position is past the end of shard {Index}, which is committed up to {committedUntil}");
        }

        // Another read of this shard holds the cached reader: use a reader of our own
        // rather than wait behind it (it may be waiting for new events).
        var useCached = _cachedReaderGate.Wait(0);
        FasterLogScanIterator? reader = null;
        try
        {
            reader = useCached
                ? CachedReaderAt(fromPosition)
                : _log.Scan(fromPosition, long.MaxValue, scanBufferingMode: ScanBufferingMode.SinglePageBuffering);
            var records = new List<LogRecord>(Math.Min(maxEvents, 256));
            TakeCommitted(reader, records, maxEvents);
            if (records.Count == 0 && maxWait != TimeSpan.Zero)
            {
                await WaitForCommittedAsync(reader, records, maxEvents, maxWait, cancellationToken, shutdown).ConfigureAwait(false);
            }

            return new LogBatch(records, records.Count == 0 ? fromPosition : records[^1].NextPosition);
        }
        catch (FasterException e)
        {
            if (useCached)
            {
                // Its position is somewhere inside the damage now; the next read starts afresh.
                _cachedReader?.Dispose();
                _cachedReader = null;
            }

            throw new InvalidDataException($"Shard {Index} could not be read from position {fromPosition}: {e.Message}", e);
        }
        finally
        {
            if (useCached)
            {
                _cachedReaderGate.Release();
            }
            else
            {
                reader?.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Every publish has completed by now (LocalFileLog drained them), so this
        // commits nothing new; it stops the loop before the log goes away.
        await _committer.DisposeAsync().ConfigureAwait(false);
        _cachedReader?.Dispose();
        _log.Dispose();
        _device.Dispose();
        _commits.Dispose();
        _cachedReaderGate.Dispose();
    }

    private FasterLogScanIterator CachedReaderAt(long position)
    {
        if (_cachedReader is null || _cachedReader.NextAddress != position)
        {
            _cachedReader?.Dispose();
            _cachedReader = null; // a Scan that throws must not leave a disposed reader cached
            _cachedReader = _log.Scan(position, long.MaxValue);
        }

        return _cachedReader;
    }

    private static void TakeCommitted(FasterLogScanIterator reader, List<LogRecord> records, int maxEvents)
    {
        while (records.Count < maxEvents && reader.GetNext(out byte[] entry, out var length, out var position, out var nextPosition))
        {
            records.Add(new LogRecord(position, nextPosition, entry.AsMemory(0, length)));
        }
    }

    private async Task WaitForCommittedAsync(
        FasterLogScanIterator reader, List<LogRecord> records, int maxEvents, TimeSpan maxWait, CancellationToken cancellationToken, CancellationToken shutdown)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdown);
        // Waits beyond what a timer can hold (about 49 days) are as good as forever.
        deadline.CancelAfter(maxWait.TotalMilliseconds < uint.MaxValue - 1 ? maxWait : Timeout.InfiniteTimeSpan);
        while (records.Count == 0)
        {
            try
            {
                // Completes on FasterLog's commit notification, not by polling.
                if (!await reader.WaitAsync(deadline.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (shutdown.IsCancellationRequested)
                {
                    throw new ObjectDisposedException(nameof(LocalFileLog));
                }

                return;
            }

            TakeCommitted(reader, records, maxEvents);
        }
    }

    private async Task<long> CommitAsync()
    {
        var commit = _log.CommitAsync().AsTask();
        // FASTER writes the commit record on a worker that swallows exceptions, so if
        // that write fails the commit never completes; the record file reports it instead.
        var finished = await Task.WhenAny(commit, _commits.Failure).ConfigureAwait(false);
        await finished.ConfigureAwait(false);
        return _log.CommittedUntilAddress;
    }

    // FasterLog's record: header (checksum and length), then the payload padded to 4 bytes.
    private long RecordBytes(int length) => _log.HeaderSize + ((length + 3) & ~3);

    private static bool HasSegmentData(string directory)
    {
        foreach (var segment in new DirectoryInfo(directory).EnumerateFiles(SegmentFilePrefix + ".*"))
        {
            if (segment.Length > 0)
            {
                return true;
            }
        }

        return false;
    }
}
