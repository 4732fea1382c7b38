using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using PromLake.Log;
using PromLake.Protocol.LogEvents;
using PromLake.Storage.Compaction;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.EndToEnd.Tests;

/// <summary>Shard 0 of a local log written with hand-made events, and its compactor run until it has caught up.</summary>
internal static class SyntheticShard
{
    /// <summary>One log event: series <c>{__name__=metric, series="i"}</c> for i in [first, first + count), each with value i at <paramref name="timestamp"/>.</summary>
    public static ReadOnlyMemory<byte> Event(string tenant, string metric, long timestamp, int firstSeries, int count)
    {
        var request = new V2.Request { Symbols = { "", "__name__", metric, "series" } };
        for (var i = firstSeries; i < firstSeries + count; i++)
        {
            request.Symbols.Add(i.ToString(CultureInfo.InvariantCulture));
            request.Timeseries.Add(new V2.TimeSeries
            {
                LabelsRefs = { 1, 2, 3, (uint)request.Symbols.Count - 1 },
                Samples = { new V2.Sample { Value = i, Timestamp = timestamp } },
            });
        }

        return ShardZeroEvent(tenant, timestamp, request);
    }

    /// <summary>
    /// One log event: the series <c>{__name__=metric}</c> with one integer native histogram at
    /// <paramref name="timestamp"/>: schema 0, zero bucket 1, positive buckets [count - 1] and [1]
    /// at indexes 0 and 2 (deltas), sum = count.
    /// </summary>
    public static ReadOnlyMemory<byte> HistogramEvent(string tenant, string metric, long timestamp, ulong count)
    {
        var request = new V2.Request { Symbols = { "", "__name__", metric } };
        request.Timeseries.Add(new V2.TimeSeries
        {
            LabelsRefs = { 1, 2 },
            Histograms =
            {
                new V2.Histogram
                {
                    CountInt = count + 1,
                    Sum = count,
                    Schema = 0,
                    ZeroThreshold = 1e-128,
                    ZeroCountInt = 1,
                    PositiveSpans = { new V2.BucketSpan { Offset = 0, Length = 1 }, new V2.BucketSpan { Offset = 1, Length = 1 } },
                    PositiveDeltas = { (long)count - 1, 2 - (long)count },
                    Timestamp = timestamp,
                },
            },
        });
        return ShardZeroEvent(tenant, timestamp, request);
    }

    /// <summary>One log event: the series <c>{__name__=metric}</c> with a sample and an exemplar <c>{trace_id=traceId}</c>, both at <paramref name="timestamp"/>.</summary>
    public static ReadOnlyMemory<byte> ExemplarEvent(string tenant, string metric, long timestamp, string traceId, double value)
    {
        var request = new V2.Request { Symbols = { "", "__name__", metric, "trace_id", traceId } };
        request.Timeseries.Add(new V2.TimeSeries
        {
            LabelsRefs = { 1, 2 },
            Samples = { new V2.Sample { Value = value, Timestamp = timestamp } },
            Exemplars = { new V2.Exemplar { LabelsRefs = { 3, 4 }, Value = value, Timestamp = timestamp } },
        });
        return ShardZeroEvent(tenant, timestamp, request);
    }

    /// <summary>The request as shard 0's log event of the tenant, received at <paramref name="timestamp"/>.</summary>
    private static byte[] ShardZeroEvent(string tenant, long timestamp, V2.Request request) =>
        new IngestEvent { FormatVersion = IngestEventFormat.CurrentVersion, Tenant = tenant, ReceivedAtMs = timestamp, Shard = 0, Request = request }.ToByteArray();

    public static async Task<long> EndOfLogAsync(ILogReader log)
    {
        long position = LogPosition.Start;
        while (true)
        {
            var batch = await log.ReadAsync(0, position, 1000, TimeSpan.Zero);
            if (batch.Records.Count == 0)
            {
                return position;
            }

            position = batch.NextPosition;
        }
    }

    /// <summary>Runs the shard's compactor until its checkpoint is at the end of the log (or 20 s have passed), then stops it.</summary>
    public static async Task CompactAsync(ILogReader log, ICheckpointStore checkpoints, L0Flush flush, CompactorOptions options)
    {
        using var stop = new CancellationTokenSource();
        var compactor = new ShardCompactor(0, log, checkpoints, flush, options, NullLogger.Instance);
        var run = compactor.RunAsync(stop.Token);
        for (var i = 0; i < 200 && (await checkpoints.GetAsync(options.Consumer, 0) ?? 0) < await EndOfLogAsync(log); i++)
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
