using Microsoft.Extensions.Logging.Abstractions;
using PromLake.Log;
using PromLake.Storage.Compaction;

namespace PromLake.Storage.Tests.Compaction;

/// <summary>The local log is truncated to where the compactor's checkpoint stood <c>LocalLogKeep</c> ago, never further.</summary>
public sealed class LocalLogTruncationTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "promlake-truncation-" + Guid.NewGuid().ToString("N"));
    private LocalFileLog _log = null!;
    private LocalCheckpointStore _checkpoints = null!;

    public Task InitializeAsync()
    {
        // Small pages and segments, so a few hundred KB span several segment files.
        var options = new LocalLogOptions { Directory = _directory, ShardCount = 1, PageSizeBits = 12, SegmentSizeBits = 16, MemorySizeBits = 14 };
        _log = new LocalFileLog(options);
        _checkpoints = new LocalCheckpointStore(options);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_log_is_cut_at_the_checkpoint_of_LocalLogKeep_ago_and_what_follows_it_stays_readable()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var options = new CompactorOptions { LocalLogKeep = TimeSpan.FromMinutes(5) };
        var truncation = new LocalLogTruncation(_log, _checkpoints, options, NullLogger<LocalLogTruncation>.Instance, clock);
        var initial = _log.GetBeginPosition(0);
        for (var i = 0; i < 400; i++)
        {
            await _log.PublishAsync(0, [new string('x', 900).Select(c => (byte)c).ToArray()]);
        }

        var batch = await _log.ReadAsync(0, LogPosition.Start, 1000, TimeSpan.Zero);
        var early = batch.Records[100].Position;
        var late = batch.Records[350].Position;

        // The compactor passed record 100; five minutes later it has passed record 350.
        await _checkpoints.CommitAsync(options.Consumer, 0, early);
        await truncation.RunOnceAsync(CancellationToken.None);
        Assert.Equal(initial, _log.GetBeginPosition(0)); // nothing is old enough yet
        clock.Now += TimeSpan.FromMinutes(5);
        await _checkpoints.CommitAsync(options.Consumer, 0, late);
        await truncation.RunOnceAsync(CancellationToken.None);

        // Cut at (the page of) the checkpoint of five minutes ago, not at the current one.
        var begin = _log.GetBeginPosition(0);
        Assert.InRange(begin, initial + 1, early);
        Assert.Equal(300, (await ReadAllAsync(early)).Count);
        Assert.Equal(50, (await ReadAllAsync(late)).Count);

        clock.Now += TimeSpan.FromMinutes(5);
        await truncation.RunOnceAsync(CancellationToken.None);
        Assert.InRange(_log.GetBeginPosition(0), early + 1, late);
        Assert.Equal(50, (await ReadAllAsync(late)).Count);
    }

    private async Task<List<LogRecord>> ReadAllAsync(long from)
    {
        var records = new List<LogRecord>();
        while (true)
        {
            var batch = await _log.ReadAsync(0, from, 1000, TimeSpan.Zero);
            if (batch.Records.Count == 0)
            {
                return records;
            }

            records.AddRange(batch.Records);
            from = batch.NextPosition;
        }
    }
}
