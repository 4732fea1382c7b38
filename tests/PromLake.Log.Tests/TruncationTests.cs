namespace PromLake.Log.Tests;

/// <summary>Truncating the head of a shard frees its segment files and keeps every event after the point.</summary>
public sealed class TruncationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Segments_before_the_point_are_deleted_and_the_events_after_it_survive_a_restart()
    {
        var options = TestLog.Options(_directory.Path, shardCount: 1);
        var payload = new string('x', 900);
        List<LogRecord> records;
        long point;
        long initial;
        await using (var log = new LocalFileLog(options))
        {
            initial = log.GetBeginPosition(0);
            for (var i = 0; i < 400; i++)
            {
                await log.PublishAsync(0, $"{i:D4}{payload}"); // about 360 KB: several 64 KiB segments
            }

            records = await log.ReadAllAsync(0);
            point = records[300].Position;
            var segmentsBefore = SegmentFiles();

            log.TruncateBefore(0, point); // commits at once: no publish needed to free the files

            Assert.InRange(log.GetBeginPosition(0), initial + 1, point);
            for (var i = 0; i < 100 && SegmentFiles() >= segmentsBefore; i++)
            {
                await Task.Delay(50); // the files go once the commit's callback has run
            }

            Assert.True(SegmentFiles() < segmentsBefore, $"{SegmentFiles()} segment files left of {segmentsBefore}");
            var kept = await log.ReadAllAsync(0, point);
            Assert.Equal(Enumerable.Range(300, 100).Select(i => $"{i:D4}{payload}"), kept.Select(TestLog.Text));
            await log.PublishAsync(0, "after truncation");
        }

        await using (var log = new LocalFileLog(options))
        {
            Assert.InRange(log.GetBeginPosition(0), initial + 1, point);
            var kept = await log.ReadAllAsync(0, point);
            Assert.Equal(101, kept.Count);
            Assert.Equal(records[300].Position, kept[0].Position);
        }
    }

    [Fact]
    public async Task A_point_past_the_end_or_before_the_beginning_truncates_nothing_beyond_the_end()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 1));
        await log.PublishAsync(0, "a", "b");
        var end = (await log.ReadAllAsync(0))[^1].NextPosition;

        log.TruncateBefore(0, LogPosition.Start);
        log.TruncateBefore(0, end + 1_000_000);
        await log.PublishAsync(0, "c");

        Assert.True(log.GetBeginPosition(0) <= end);
        Assert.Equal(["c"], (await log.ReadAllAsync(0, end)).Select(TestLog.Text));
    }

    [Fact]
    public async Task A_shard_without_events_ends_at_the_start_so_a_reader_from_the_start_finds_nothing_to_wait_for()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 2));
        await log.PublishAsync(0, "a");
        var end = (await log.ReadAllAsync(0))[^1].NextPosition;

        Assert.Equal(LogPosition.Start, await log.GetEndPositionAsync(1)); // never written
        Assert.Equal(end, await log.GetEndPositionAsync(0));
        Assert.True(end > LogPosition.Start);
    }

    private int SegmentFiles() =>
        Directory.GetFiles(Path.Combine(_directory.Path, LocalFileLog.ShardFolderName(0))).Count(f => Path.GetFileName(f).StartsWith("log.", StringComparison.Ordinal));
}
