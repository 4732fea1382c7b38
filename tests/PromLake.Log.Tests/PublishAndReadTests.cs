namespace PromLake.Log.Tests;

public sealed class PublishAndReadTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Published_events_are_read_back_in_order_with_chained_positions()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        await log.PublishAsync(0, "a1", "a2", "a3");
        await log.PublishAsync(0, "b1");
        await log.PublishAsync(0, "c1", "c2");

        var batch = await log.ReadAsync(0, LogPosition.Start, maxEvents: 100, maxWait: TimeSpan.Zero);

        Assert.Equal(["a1", "a2", "a3", "b1", "c1", "c2"], batch.Records.Select(TestLog.Text));
        Assert.True(batch.Records[0].Position > LogPosition.Start);
        for (var i = 1; i < batch.Records.Count; i++)
        {
            Assert.Equal(batch.Records[i - 1].NextPosition, batch.Records[i].Position);
        }

        Assert.Equal(batch.Records[^1].NextPosition, batch.NextPosition);
    }

    [Fact]
    public async Task Read_returns_at_most_maxEvents_and_the_next_read_continues_where_it_ended()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        await log.PublishAsync(1, "e0", "e1", "e2", "e3", "e4");

        var first = await log.ReadAsync(1, LogPosition.Start, maxEvents: 2, maxWait: TimeSpan.Zero);
        var second = await log.ReadAsync(1, first.NextPosition, maxEvents: 2, maxWait: TimeSpan.Zero);
        var third = await log.ReadAsync(1, second.NextPosition, maxEvents: 2, maxWait: TimeSpan.Zero);
        var atEnd = await log.ReadAsync(1, third.NextPosition, maxEvents: 2, maxWait: TimeSpan.Zero);

        Assert.Equal(["e0", "e1"], first.Records.Select(TestLog.Text));
        Assert.Equal(["e2", "e3"], second.Records.Select(TestLog.Text));
        Assert.Equal(["e4"], third.Records.Select(TestLog.Text));
        Assert.Empty(atEnd.Records);
        Assert.Equal(third.NextPosition, atEnd.NextPosition);
    }

    [Fact]
    public async Task Reading_from_a_records_position_starts_at_that_record()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        await log.PublishAsync(0, "e0", "e1", "e2", "e3");
        var all = await log.ReadAllAsync(0);

        var fromThird = await log.ReadAsync(0, all[2].Position, maxEvents: 100, maxWait: TimeSpan.Zero);

        Assert.Equal(["e2", "e3"], fromThird.Records.Select(TestLog.Text));
    }

    [Fact]
    public async Task Shards_are_separate_logs()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 3));
        await log.PublishAsync(0, "zero");
        await log.PublishAsync(2, "two-a", "two-b");

        Assert.Equal(["zero"], await log.ReadAllTextAsync(0));
        Assert.Empty(await log.ReadAllTextAsync(1));
        Assert.Equal(["two-a", "two-b"], await log.ReadAllTextAsync(2));
        Assert.True(Directory.Exists(_directory.Combine("shard-002")));
    }

    [Fact]
    public async Task Events_spanning_many_pages_and_segments_are_read_back_whole_and_in_order()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        var expected = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            // About 1 KiB each: 300 of them cross dozens of 4 KiB pages and several 64 KiB segments.
            var text = $"event-{i}-" + new string((char)('a' + i % 26), 1000);
            expected.Add(text);
            await log.PublishAsync(0, text);
        }

        Assert.Equal(expected, await log.ReadAllTextAsync(0));
        Assert.True(File.Exists(Path.Combine(log.ShardDirectory(0), "log.3")));
    }

    [Fact]
    public async Task A_publish_larger_than_a_page_is_appended_whole_and_in_order()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        var texts = Enumerable.Range(0, 5).Select(i => $"big-{i}-" + new string('x', 3000)).ToArray();

        await log.PublishAsync(0, texts);

        Assert.Equal(texts, await log.ReadAllTextAsync(0));
    }

    [Fact]
    public async Task The_largest_event_that_fits_a_page_round_trips()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        var payload = new byte[log.MaxEventBytes];
        Random.Shared.NextBytes(payload);

        await log.PublishAsync(0, [payload, payload]);

        var records = await log.ReadAllAsync(0);
        Assert.Equal(2, records.Count);
        Assert.All(records, record => Assert.True(record.Payload.Span.SequenceEqual(payload)));
    }

    [Fact]
    public async Task An_event_larger_than_a_page_is_rejected_and_nothing_of_the_publish_is_appended()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        var error = await Assert.ThrowsAsync<ArgumentException>(
            async () => await log.PublishAsync(0, [TestLog.Event("fits"), new byte[log.MaxEventBytes + 1]]));

        Assert.Contains("PageSizeBits", error.Message);
        Assert.Empty(await log.ReadAllAsync(0));
    }

    [Fact]
    public async Task An_empty_event_is_rejected()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        await Assert.ThrowsAsync<ArgumentException>(async () => await log.PublishAsync(0, [TestLog.Event("ok"), ReadOnlyMemory<byte>.Empty]));

        Assert.Empty(await log.ReadAllAsync(0));
    }

    [Fact]
    public async Task Publishing_no_events_completes_and_appends_nothing()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        await log.PublishAsync(0, Array.Empty<ReadOnlyMemory<byte>>());

        Assert.Empty(await log.ReadAllAsync(0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public async Task A_shard_outside_the_log_is_rejected(int shard)
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path, shardCount: 2));

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = log.PublishAsync(shard, TestLog.Events("e")); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = log.ReadAsync(shard, LogPosition.Start, 10, TimeSpan.Zero); });
    }

    [Fact]
    public async Task Bad_read_arguments_are_rejected()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = log.ReadAsync(0, -1, 10, TimeSpan.Zero); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = log.ReadAsync(0, LogPosition.Start, 0, TimeSpan.Zero); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = log.ReadAsync(0, LogPosition.Start, 10, TimeSpan.FromSeconds(-2)); });
        Assert.Throws<ArgumentNullException>(() => { _ = log.PublishAsync(0, null!); });
    }

    [Fact]
    public async Task A_position_past_the_committed_end_is_rejected()
    {
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));
        await log.PublishAsync(0, "only");
        var end = (await log.ReadAllAsync(0))[^1].NextPosition;

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await log.ReadAsync(0, end + 4096, 10, TimeSpan.Zero));
    }
}
