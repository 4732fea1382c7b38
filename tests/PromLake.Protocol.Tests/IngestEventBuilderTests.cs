using CsCheck;
using Google.Protobuf;
using PromLake.Protocol.LogEvents;
using PromLake.Protocol.Prompb;
using PromLake.Protocol.RemoteWrite;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Protocol.Tests;

public class IngestEventBuilderTests
{
    [Fact]
    public void Events_hold_every_series_of_a_v1_request_as_remote_write_2_in_order()
    {
        Gen.Select(Generators.WriteRequestV1, Gen.Int[1024, 8192]).Sample(t =>
        {
            var (request, target) = t;
            var decoded = new DecodedWriteRequest();
            WriteRequestDecoder.Decode(decoded, request.ToByteArray());

            var events = Build(decoded, target, out var parsed);

            Assert.All(events, e => Assert.True(e.Length <= IngestEventFormat.MaxEventBytes));
            Assert.All(parsed, e =>
            {
                Assert.Equal(IngestEventFormat.CurrentVersion, e.FormatVersion);
                Assert.Equal("tenant-a", e.Tenant);
                Assert.Equal(1234567890123L, e.ReceivedAtMs);
                Assert.Equal(3u, e.Shard);
                Assert.Equal("", e.Request.Symbols[0]);
            });
            var series = parsed.SelectMany(e => SeriesModel.From(e.Request)).Where(s => !s.Labels.StartsWith("{__name__=") || s.Metadata == "").ToList();
            Assert.Equal(SeriesModel.From(request), series);
            events.ForEach(e => e.Return());
        }, iter: 300);
    }

    [Fact]
    public void Events_hold_every_series_of_a_v2_request_with_start_timestamps_and_metadata()
    {
        Generators.WriteRequestV2.Sample(request =>
        {
            var decoded = new DecodedWriteRequest();
            WriteV2RequestDecoder.Decode(decoded, request.ToByteArray());

            var events = Build(decoded, 4096, out var parsed);

            Assert.Equal(SeriesModel.From(request), parsed.SelectMany(e => SeriesModel.From(e.Request)).ToList());
            events.ForEach(e => e.Return());
        }, iter: 300);
    }

    [Fact]
    public void V1_family_metadata_rides_on_a_series_with_only_the_metric_name()
    {
        var request = new WriteRequest();
        request.Metadata.Add(new MetricMetadata { Type = MetricMetadata.Types.MetricType.Counter, MetricFamilyName = "http_requests_total", Help = "Requests.", Unit = "" });
        var decoded = new DecodedWriteRequest();
        WriteRequestDecoder.Decode(decoded, request.ToByteArray());

        using var builder = new IngestEventBuilder();
        var events = new List<PooledEvent>();
        builder.Begin(decoded, "t", 1, 0, events);
        builder.AddFamilyMetadata(decoded.FamilyMetadata[0]);
        builder.Complete();

        var parsed = IngestEvent.Parser.ParseFrom(events[0].Memory.Span).Request;
        var series = Assert.Single(parsed.Timeseries);
        Assert.Equal(["__name__", "http_requests_total"], series.LabelsRefs.Select(r => parsed.Symbols[(int)r]));
        Assert.Empty(series.Samples);
        Assert.Equal(V2.Metadata.Types.MetricType.Counter, series.Metadata.Type);
        Assert.Equal("Requests.", parsed.Symbols[(int)series.Metadata.HelpRef]);
    }

    [Fact]
    public void A_series_with_a_hundred_thousand_samples_is_split_into_entries_and_events_under_the_cap()
    {
        var request = new WriteRequest();
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = "long" });
        for (var i = 0; i < 100_000; i++)
        {
            series.Samples.Add(new Sample { Value = i, Timestamp = 1_700_000_000_000 + i });
        }

        request.Timeseries.Add(series);
        var decoded = new DecodedWriteRequest();
        WriteRequestDecoder.Decode(decoded, request.ToByteArray());

        var events = Build(decoded, IngestEventFormat.DefaultTargetEventBytes, out var parsed);

        Assert.True(events.Count > 10);
        Assert.All(events, e => Assert.True(e.Length <= IngestEventFormat.DefaultTargetEventBytes + 64 * 1024));
        var timestamps = parsed.SelectMany(e => e.Request.Timeseries).SelectMany(s => s.Samples).Select(s => s.Timestamp).ToList();
        Assert.Equal(series.Samples.Select(s => s.Timestamp), timestamps);
        events.ForEach(e => e.Return());
    }

    private static List<PooledEvent> Build(DecodedWriteRequest decoded, int target, out List<IngestEvent> parsed)
    {
        using var builder = new IngestEventBuilder(target);
        var events = new List<PooledEvent>();
        builder.Begin(decoded, "tenant-a", 1234567890123L, 3, events);
        foreach (var s in decoded.Series)
        {
            builder.AddSeries(s);
        }

        foreach (var m in decoded.FamilyMetadata)
        {
            builder.AddFamilyMetadata(m);
        }

        builder.Complete();
        parsed = events.Select(e => IngestEvent.Parser.ParseFrom(e.Memory.Span)).ToList();
        return events;
    }
}
