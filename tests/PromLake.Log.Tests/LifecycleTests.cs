namespace PromLake.Log.Tests;

public sealed class LifecycleTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Dispose_is_idempotent_and_the_log_refuses_use_afterwards()
    {
        var log = new LocalFileLog(TestLog.Options(_directory.Path));
        await log.PublishAsync(0, "e");

        await log.DisposeAsync();
        await log.DisposeAsync();
        log.Dispose();

        Assert.Throws<ObjectDisposedException>(() => { _ = log.PublishAsync(0, TestLog.Events("late")); });
        Assert.Throws<ObjectDisposedException>(() => { _ = log.ReadAsync(0, LogPosition.Start, 10, TimeSpan.Zero); });
    }

    [Fact]
    public async Task A_second_log_on_the_same_folder_is_refused()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        var error = Assert.Throws<InvalidOperationException>(() => new LocalFileLog(TestLog.Options(_directory.Path)));

        Assert.Contains("already open", error.Message);
    }

    [Fact]
    public async Task The_folder_can_be_opened_again_once_the_log_is_disposed()
    {
        await new LocalFileLog(TestLog.Options(_directory.Path)).DisposeAsync();

        await using var reopened = new LocalFileLog(TestLog.Options(_directory.Path));

        Assert.Equal(2, reopened.ShardCount);
    }

    [Fact]
    public async Task Lowering_the_shard_count_is_refused_because_it_would_strand_events()
    {
        await using (var log = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 3)))
        {
            await log.PublishAsync(2, "in the last shard");
        }

        var error = Assert.Throws<InvalidOperationException>(() => new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 2)));

        Assert.Contains("ShardCount", error.Message);
    }

    [Fact]
    public async Task Raising_the_shard_count_keeps_the_existing_shards()
    {
        await using (var log = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 2)))
        {
            await log.PublishAsync(1, "kept");
        }

        await using var grown = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 4));

        Assert.Equal(["kept"], await grown.ReadAllTextAsync(1));
        Assert.Empty(await grown.ReadAllTextAsync(3));
    }

    [Fact]
    public void Invalid_options_are_rejected_when_opening()
    {
        var options = TestLog.Options(_directory.Path);
        options.ShardCount = 0;

        var error = Assert.Throws<InvalidOperationException>(() => new LocalFileLog(options));

        Assert.Contains("PromLake:Log:ShardCount", error.Message);
    }
}
