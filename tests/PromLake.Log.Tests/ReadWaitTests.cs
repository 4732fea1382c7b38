namespace PromLake.Log.Tests;

public sealed class ReadWaitTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Read_waits_for_new_events_up_to_maxWait()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        await log.PublishAsync(0, "before");
        var tail = (await log.ReadAllAsync(0))[^1].NextPosition;

        // Far longer than the test takes: only the publish below can complete the read.
        var read = log.ReadAsync(0, tail, maxEvents: 10, maxWait: TimeSpan.FromMinutes(5)).AsTask();
        Assert.False(read.IsCompleted);

        await log.PublishAsync(0, "after");
        var batch = await read;

        Assert.Equal(["after"], batch.Records.Select(TestLog.Text));
        Assert.Equal(tail, batch.Records[0].Position);
    }

    [Fact]
    public async Task Read_of_an_empty_shard_waits_for_the_first_event()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        var read = log.ReadAsync(1, LogPosition.Start, maxEvents: 10, maxWait: Timeout.InfiniteTimeSpan).AsTask();
        Assert.False(read.IsCompleted);
        await log.PublishAsync(1, "first");

        Assert.Equal(["first"], (await read).Records.Select(TestLog.Text));
    }

    [Fact]
    public async Task Read_with_nothing_new_returns_an_empty_batch_at_the_same_position_after_maxWait()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        await log.PublishAsync(0, "only");
        var tail = (await log.ReadAllAsync(0))[^1].NextPosition;

        var batch = await log.ReadAsync(0, tail, maxEvents: 10, maxWait: TimeSpan.FromMilliseconds(20));

        Assert.Empty(batch.Records);
        Assert.Equal(tail, batch.NextPosition);
    }

    [Fact]
    public async Task A_waiting_read_is_cancelled_by_its_token()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        using var cancellation = new CancellationTokenSource();

        var read = log.ReadAsync(0, LogPosition.Start, 10, Timeout.InfiniteTimeSpan, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public async Task Two_reads_of_one_shard_wait_side_by_side_and_both_get_the_new_event()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        var first = log.ReadAsync(0, LogPosition.Start, 10, Timeout.InfiniteTimeSpan).AsTask();
        var second = log.ReadAsync(0, LogPosition.Start, 10, Timeout.InfiniteTimeSpan).AsTask();
        await log.PublishAsync(0, "shared");

        Assert.Equal(["shared"], (await first).Records.Select(TestLog.Text));
        Assert.Equal(["shared"], (await second).Records.Select(TestLog.Text));
    }

    [Fact]
    public async Task Disposing_the_log_ends_a_waiting_read()
    {
        var log = new LocalFileLog(TestLog.Options(_directory.Path));
        var read = log.ReadAsync(0, LogPosition.Start, 10, Timeout.InfiniteTimeSpan).AsTask();

        await log.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => read);
    }
}
