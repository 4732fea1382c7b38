using Xunit.Abstractions;

namespace PromLake.Log.Tests;

public sealed class ConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Concurrent_publishers_to_several_shards_lose_nothing_and_keep_their_order()
    {
        const int publishers = 8;
        const int publishesEach = 25;
        const int shards = 3;
        var options = TestLog.Options(_directory.Path, shardCount: shards);

        await using (var log = new LocalFileLog(options))
        {
            await Task.WhenAll(Enumerable.Range(0, publishers).Select(publisher => Task.Run(async () =>
            {
                for (var publish = 0; publish < publishesEach; publish++)
                {
                    // One request's events go to every shard at once, as the ingest endpoint does.
                    await Task.WhenAll(Enumerable.Range(0, shards).Select(shard =>
                        log.PublishAsync(shard, $"{publisher}:{publish}:0", $"{publisher}:{publish}:1").AsTask()));
                }
            })));

            for (var shard = 0; shard < shards; shard++)
            {
                // How much sharing happens depends on timing; GroupCommitterTests pins it down.
                output.WriteLine($"shard {shard}: {publishers * publishesEach} publishes, {log.CommitCount(shard)} commits");
                Assert.InRange(log.CommitCount(shard), 1, publishers * publishesEach);
            }
        }

        // Read after a restart, so what is checked is what reached the disk.
        await using var reopened = new LocalFileLog(options);
        for (var shard = 0; shard < shards; shard++)
        {
            var events = (await reopened.ReadAllTextAsync(shard)).Select(text => text.Split(':').Select(int.Parse).ToArray()).ToList();
            Assert.Equal(publishers * publishesEach * 2, events.Count);
            foreach (var byPublisher in events.GroupBy(e => e[0]))
            {
                var expected = Enumerable.Range(0, publishesEach).SelectMany(publish => new[] { (publish, 0), (publish, 1) });
                Assert.Equal(expected, byPublisher.Select(e => (e[1], e[2])));
            }
        }
    }

    [Fact]
    public async Task Reading_while_publishing_sees_every_event_once_in_order()
    {
        const int count = 200;
        await using var log = new LocalFileLog(TestLog.Options(_directory.Path));

        var reader = Task.Run(async () =>
        {
            var seen = new List<string>();
            var position = LogPosition.Start;
            while (seen.Count < count)
            {
                var batch = await log.ReadAsync(0, position, maxEvents: 7, maxWait: TimeSpan.FromMinutes(5));
                seen.AddRange(batch.Records.Select(TestLog.Text));
                position = batch.NextPosition;
            }

            return seen;
        });

        for (var i = 0; i < count; i++)
        {
            await log.PublishAsync(0, $"e{i}");
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"e{i}"), await reader);
    }
}
