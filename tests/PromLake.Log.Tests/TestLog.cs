using System.Text;

namespace PromLake.Log.Tests;

/// <summary>Small pages and segments, so tests cross page and segment boundaries with little data.</summary>
internal static class TestLog
{
    public static LocalLogOptions Options(string directory, int shardCount = 2) => new()
    {
        Directory = directory,
        ShardCount = shardCount,
        PageSizeBits = 12,
        SegmentSizeBits = 16,
        MemorySizeBits = 14,
    };

    public static ReadOnlyMemory<byte> Event(string text) => Encoding.UTF8.GetBytes(text);

    public static ReadOnlyMemory<byte>[] Events(params string[] texts) => Array.ConvertAll(texts, Event);

    public static string Text(LogRecord record) => Encoding.UTF8.GetString(record.Payload.Span);

    public static ValueTask PublishAsync(this LocalFileLog log, int shard, params string[] texts) =>
        log.PublishAsync(shard, Events(texts));

    /// <summary>Reads the whole committed shard without waiting.</summary>
    public static async Task<List<LogRecord>> ReadAllAsync(this LocalFileLog log, int shard, long from = LogPosition.Start)
    {
        var records = new List<LogRecord>();
        while (true)
        {
            var batch = await log.ReadAsync(shard, from, maxEvents: 100, maxWait: TimeSpan.Zero);
            if (batch.Records.Count == 0)
            {
                Assert.Equal(from, batch.NextPosition);
                return records;
            }

            records.AddRange(batch.Records);
            from = batch.NextPosition;
        }
    }

    public static async Task<List<string>> ReadAllTextAsync(this LocalFileLog log, int shard) =>
        (await log.ReadAllAsync(shard)).ConvertAll(Text);
}
