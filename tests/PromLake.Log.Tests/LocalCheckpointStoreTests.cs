namespace PromLake.Log.Tests;

public sealed class LocalCheckpointStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private LocalCheckpointStore NewStore() => new(TestLog.Options(_directory.Path, shardCount: 4));

    [Fact]
    public async Task A_consumer_has_no_checkpoint_until_it_commits_one()
    {
        var store = NewStore();

        Assert.Null(await store.GetAsync("compactor", 0));
        await store.CommitAsync("compactor", 0, 4096);

        Assert.Equal(4096, await store.GetAsync("compactor", 0));
        Assert.Null(await store.GetAsync("compactor", 1));
        Assert.Null(await store.GetAsync("other", 0));
    }

    [Fact]
    public async Task Checkpoint_never_moves_backwards()
    {
        var store = NewStore();

        await store.CommitAsync("compactor", 2, 1000);
        await store.CommitAsync("compactor", 2, 500);
        Assert.Equal(1000, await store.GetAsync("compactor", 2));

        await store.CommitAsync("compactor", 2, 1500);
        Assert.Equal(1500, await store.GetAsync("compactor", 2));
    }

    [Fact]
    public async Task Checkpoints_are_kept_as_files_and_survive_a_new_store()
    {
        await NewStore().CommitAsync("compactor", 3, 123456);

        Assert.Equal(123456, await NewStore().GetAsync("compactor", 3));
        var file = _directory.Combine("checkpoints", "compactor", "shard-003");
        Assert.Equal("123456", File.ReadAllText(file).Trim());
        Assert.False(File.Exists(file + ".tmp"));
    }

    [Fact]
    public async Task A_temp_file_left_by_a_crash_mid_commit_is_ignored_and_replaced()
    {
        var store = NewStore();
        await store.CommitAsync("compactor", 0, 100);
        var file = _directory.Combine("checkpoints", "compactor", "shard-000");
        File.WriteAllText(file + ".tmp", "99");

        Assert.Equal(100, await store.GetAsync("compactor", 0));
        await store.CommitAsync("compactor", 0, 200);
        Assert.Equal(200, await store.GetAsync("compactor", 0));
    }

    [Fact]
    public async Task Concurrent_commits_leave_the_highest_position()
    {
        var store = NewStore();

        await Task.WhenAll(Enumerable.Range(1, 50).Select(i => Task.Run(() => store.CommitAsync("compactor", 1, i * 10).AsTask())));

        Assert.Equal(500, await store.GetAsync("compactor", 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("with space")]
    public void A_consumer_name_that_is_not_a_plain_folder_name_is_rejected(string consumer)
    {
        var store = NewStore();

        Assert.Throws<ArgumentException>(() => { _ = store.CommitAsync(consumer, 0, 1); });
        Assert.Throws<ArgumentException>(() => { _ = store.GetAsync(consumer, 0); });
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void A_shard_outside_the_log_is_rejected(int shard)
    {
        var store = NewStore();

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = store.CommitAsync("compactor", shard, 1); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = store.GetAsync("compactor", shard); });
    }

    [Fact]
    public void A_negative_position_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = NewStore().CommitAsync("compactor", 0, -1); });
    }
}
