using System.Globalization;
using PromLake.Log;
using PromLake.Protocol.LogEvents;

namespace PromLake.EndToEnd.Tests;

/// <summary>Everything in a local log folder, read back through the log's reader and the event format's reference parser.</summary>
internal sealed class LogContents
{
    /// <summary>Samples per series, the series written as <c>{name="value",…}</c> in stored label order.</summary>
    public Dictionary<string, List<(long Timestamp, ulong ValueBits)>> Samples { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> ShardOfSeries { get; } = new(StringComparer.Ordinal);

    public int MetadataEntries { get; private set; }

    public long TotalSamples { get; private set; }

    public static async Task<LogContents> ReadAsync(string directory, int shardCount)
    {
        var contents = new LogContents();
        await using var log = new LocalFileLog(new LocalLogOptions { Directory = directory, ShardCount = shardCount });
        for (var shard = 0; shard < shardCount; shard++)
        {
            long position = LogPosition.Start;
            while (true)
            {
                var batch = await log.ReadAsync(shard, position, 1000, TimeSpan.Zero);
                if (batch.Records.Count == 0)
                {
                    break;
                }

                foreach (var record in batch.Records)
                {
                    contents.Add(IngestEvent.Parser.ParseFrom(record.Payload.Span), shard);
                }

                position = batch.NextPosition;
            }
        }

        return contents;
    }

    public static string Key(IEnumerable<(string Name, string Value)> labels) =>
        "{" + string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\"")) + "}";

    private void Add(IngestEvent e, int shard)
    {
        Assert.Equal(IngestEventFormat.CurrentVersion, e.FormatVersion);
        Assert.Equal((uint)shard, e.Shard);
        var symbols = e.Request.Symbols;
        foreach (var series in e.Request.Timeseries)
        {
            var key = Key(Enumerable.Range(0, series.LabelsRefs.Count / 2)
                .Select(i => (symbols[(int)series.LabelsRefs[2 * i]], symbols[(int)series.LabelsRefs[(2 * i) + 1]])));
            if (series.Metadata is not null)
            {
                MetadataEntries++;
            }

            if (ShardOfSeries.TryGetValue(key, out var previous))
            {
                Assert.True(previous == shard, $"series {key} is in shards {previous} and {shard}");
            }

            ShardOfSeries[key] = shard;
            if (!Samples.TryGetValue(key, out var list))
            {
                Samples[key] = list = [];
            }

            foreach (var sample in series.Samples)
            {
                list.Add((sample.Timestamp, BitConverter.DoubleToUInt64Bits(sample.Value)));
                TotalSamples++;
            }
        }
    }

    public static string FormatValue(ulong bits)
    {
        var value = BitConverter.UInt64BitsToDouble(bits);
        return double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf"
            : value.ToString("R", CultureInfo.InvariantCulture);
    }
}
