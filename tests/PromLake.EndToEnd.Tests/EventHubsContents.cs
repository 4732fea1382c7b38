using PromLake.EventHubsFake;
using PromLake.Log;
using PromLake.Log.EventHubs;
using PromLake.Protocol.LogEvents;

namespace PromLake.EndToEnd.Tests;

/// <summary>Reads every partition of a hub back through PromLake's Event Hubs reader (the real client).</summary>
internal static class EventHubsContents
{
    /// <summary>Per shard, the (series, timestamp) of every sample in log order.</summary>
    public static async Task<List<(string Series, long Timestamp)>[]> ReadAsync(FakeEventHubsBroker broker)
    {
        var options = new EventHubsLogOptions { ConnectionString = broker.ConnectionString, ShardCount = broker.PartitionCount, MaxRetries = 1 };
        await using var reader = new EventHubsLogReader(options);
        var shards = new List<(string, long)>[broker.PartitionCount];
        for (var shard = 0; shard < broker.PartitionCount; shard++)
        {
            shards[shard] = [];
            var expected = broker.EventsIn(shard.ToString(System.Globalization.CultureInfo.InvariantCulture)).Count;
            long position = LogPosition.Start;
            var read = 0;
            while (read < expected)
            {
                var batch = await reader.ReadAsync(shard, position, 100, TimeSpan.FromSeconds(2));
                Assert.True(batch.Records.Count > 0, $"shard {shard}: read {read} of {expected} events, then nothing");
                foreach (var record in batch.Records)
                {
                    var e = IngestEvent.Parser.ParseFrom(record.Payload.Span);
                    Assert.Equal((uint)shard, e.Shard);
                    foreach (var series in e.Request.Timeseries)
                    {
                        var name = string.Join(",", series.LabelsRefs.Select(r => e.Request.Symbols[(int)r]));
                        shards[shard].AddRange(series.Samples.Select(s => (name, s.Timestamp)));
                    }
                }

                read += batch.Records.Count;
                position = batch.NextPosition;
            }
        }

        return shards;
    }
}
