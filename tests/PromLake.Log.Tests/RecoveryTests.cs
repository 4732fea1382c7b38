using System.Buffers.Binary;

namespace PromLake.Log.Tests;

/// <summary>
/// Restarts and crashes. A crash is simulated with a copy of the log's files taken
/// while it runs, in the order a crash can leave them: the commit record as of some
/// moment, and segment files holding that much or more.
/// </summary>
public sealed class RecoveryTests : IDisposable
{
    private const int CommitSlotBytes = 4096;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Published_events_survive_a_restart_in_order_and_new_appends_follow_them()
    {
        var options = TestLog.Options(_directory.Path);
        List<LogRecord> before;
        await using (var log = new LocalFileLog(options))
        {
            for (var i = 0; i < 50; i++)
            {
                await log.PublishAsync(i % 2, $"e{i}");
            }

            before = await log.ReadAllAsync(0);
        }

        await using (var log = new LocalFileLog(options))
        {
            var after = await log.ReadAllAsync(0);
            Assert.Equal(before.Select(TestLog.Text), after.Select(TestLog.Text));
            Assert.Equal(before.Select(r => r.Position), after.Select(r => r.Position));
            Assert.Equal(Enumerable.Range(0, 25).Select(i => $"e{2 * i + 1}"), await log.ReadAllTextAsync(1));

            await log.PublishAsync(0, "after restart");

            var appended = (await log.ReadAllAsync(0, from: before[^1].NextPosition)).Single();
            Assert.Equal("after restart", TestLog.Text(appended));
            Assert.Equal(before[^1].NextPosition, appended.Position);
        }
    }

    [Fact]
    public async Task Torn_tail_after_a_crash_is_discarded_and_the_log_accepts_new_appends()
    {
        var crash = _directory.Combine("crash");
        var committed = Enumerable.Range(0, 10).Select(i => $"committed-{i}").ToArray();
        long tornAt;
        await using (var log = new LocalFileLog(TestLog.Options(_directory.Combine("live"), shardCount: 1)))
        {
            foreach (var text in committed)
            {
                await log.PublishAsync(0, text);
            }

            // The crash: the commit record as it is now...
            CopyFile(log.ShardDirectory(0), crash, "commit");

            // ...and a segment whose next events were written out, but whose commit record never was.
            await log.PublishAsync(0, "never-committed-a", "never-committed-b");
            CopyFile(log.ShardDirectory(0), crash, "log.0");
            tornAt = (await log.ReadAllAsync(0))[^1].NextPosition;
        }

        // The uncommitted events really are in the crash image's segment, so recovery has to leave them out.
        var crashSegment = Path.Combine(crash, "shard-000", "log.0");
        Assert.True(File.ReadAllBytes(crashSegment).AsSpan().IndexOf("never-committed-b"u8) > 0);

        // A record torn mid-write after those: a plausible header, then garbage.
        using (var segment = File.OpenWrite(crashSegment))
        {
            segment.Position = tornAt;
            var garbage = new byte[300];
            new Random(42).NextBytes(garbage);
            BinaryPrimitives.WriteInt32LittleEndian(garbage.AsSpan(8), 200);
            segment.Write(garbage);
        }

        var options = TestLog.Options(crash, shardCount: 1);
        await using (var log = new LocalFileLog(options))
        {
            var recovered = await log.ReadAllAsync(0);
            Assert.Equal(committed, recovered.Select(TestLog.Text));

            await log.PublishAsync(0, "after-crash-1", "after-crash-2");

            var all = await log.ReadAllAsync(0);
            Assert.Equal([.. committed, "after-crash-1", "after-crash-2"], all.Select(TestLog.Text));
            Assert.Equal(recovered[^1].NextPosition, all[^2].Position);
        }

        await using (var log = new LocalFileLog(options))
        {
            Assert.Equal([.. committed, "after-crash-1", "after-crash-2"], await log.ReadAllTextAsync(0));
        }
    }

    [Fact]
    public async Task A_crash_without_dispose_keeps_every_acknowledged_event()
    {
        var crash = _directory.Combine("crash");
        var acknowledged = Enumerable.Range(0, 40).Select(i => $"acknowledged-{i}").ToList();
        var live = new LocalFileLog(TestLog.Options(_directory.Combine("live"), shardCount: 1));
        try
        {
            foreach (var text in acknowledged)
            {
                await live.PublishAsync(0, text);
            }

            // The process is never told to stop: its files are taken as they are.
            CopyFile(live.ShardDirectory(0), crash, "commit");
            foreach (var segment in Directory.GetFiles(live.ShardDirectory(0), "log.*"))
            {
                CopyFile(live.ShardDirectory(0), crash, Path.GetFileName(segment));
            }
        }
        finally
        {
            await live.DisposeAsync();
        }

        await using var log = new LocalFileLog(TestLog.Options(crash, shardCount: 1));
        Assert.Equal(acknowledged, await log.ReadAllTextAsync(0));
        await log.PublishAsync(0, "next");
        Assert.Equal([.. acknowledged, "next"], await log.ReadAllTextAsync(0));
    }

    [Fact]
    public async Task A_torn_commit_record_falls_back_to_the_previous_commit()
    {
        var options = TestLog.Options(_directory.Path, shardCount: 1);
        string commitFile;
        await using (var log = new LocalFileLog(options))
        {
            await log.PublishAsync(0, "first");
            await log.PublishAsync(0, "second");
            commitFile = Path.Combine(log.ShardDirectory(0), "commit");
        }

        // A crash while the newest record was being written: it was never acknowledged.
        GarbleSlot(commitFile, NewestSlot(commitFile));

        await using (var log = new LocalFileLog(options))
        {
            Assert.Equal(["first"], await log.ReadAllTextAsync(0));
            await log.PublishAsync(0, "third");
            Assert.Equal(["first", "third"], await log.ReadAllTextAsync(0));
        }
    }

    [Fact]
    public async Task A_shard_whose_commit_records_are_both_damaged_is_refused_rather_than_overwritten()
    {
        var options = TestLog.Options(_directory.Path, shardCount: 1);
        string commitFile;
        await using (var log = new LocalFileLog(options))
        {
            await log.PublishAsync(0, "first");
            await log.PublishAsync(0, "second");
            commitFile = Path.Combine(log.ShardDirectory(0), "commit");
        }

        GarbleSlot(commitFile, 0);
        GarbleSlot(commitFile, 1);

        Assert.Throws<InvalidDataException>(() => new LocalFileLog(options));
    }

    [Fact]
    public async Task A_shard_with_segments_but_no_commit_record_file_is_refused_rather_than_overwritten()
    {
        var options = TestLog.Options(_directory.Path, shardCount: 1);
        string commitFile;
        await using (var log = new LocalFileLog(options))
        {
            await log.PublishAsync(0, "first");
            commitFile = Path.Combine(log.ShardDirectory(0), "commit");
        }

        File.Delete(commitFile);

        Assert.Throws<InvalidDataException>(() => new LocalFileLog(options));
    }

    [Fact]
    public async Task A_crash_before_the_first_commit_reopens_as_an_empty_log()
    {
        var options = TestLog.Options(_directory.Path, shardCount: 1);
        await using (var log = new LocalFileLog(options))
        {
            await log.PublishAsync(0, "first");
        }

        // The first commit record was torn, so the event in the segment was never acknowledged.
        var commitFile = Path.Combine(_directory.Path, "shard-000", "commit");
        GarbleSlot(commitFile, NewestSlot(commitFile));

        await using (var log = new LocalFileLog(options))
        {
            Assert.Empty(await log.ReadAllAsync(0));
            await log.PublishAsync(0, "again");
            Assert.Equal(["again"], await log.ReadAllTextAsync(0));
        }
    }

    private static void CopyFile(string shardDirectory, string crashRoot, string fileName)
    {
        var target = Path.Combine(crashRoot, Path.GetFileName(shardDirectory));
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(shardDirectory, fileName), Path.Combine(target, fileName), overwrite: true);
    }

    private static int NewestSlot(string commitFile)
    {
        var bytes = File.ReadAllBytes(commitFile);
        var first = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        var second = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(CommitSlotBytes + 8));
        return second > first ? 1 : 0;
    }

    private static void GarbleSlot(string commitFile, int slot)
    {
        using var file = File.OpenWrite(commitFile);
        file.Position = slot * CommitSlotBytes + 30;
        file.Write([0xDE, 0xAD, 0xBE, 0xEF]);
    }
}
