using Google.Protobuf;
using PromLake.Protocol.LogEvents;
using PromLake.Protocol.WriteV2;
using PromLake.Storage.Series;
using Exemplar = PromLake.Protocol.WriteV2.Exemplar;
using Sample = PromLake.Protocol.WriteV2.Sample;

namespace PromLake.Storage.Tests;

public class SeriesBatchBuilderTests
{
    private const ulong StaleMarker = StorageGenerators.StaleMarkerBits;

    [Fact]
    public void Series_of_several_events_gather_by_label_set_with_everything_they_carry()
    {
        var histogram = new Histogram { CountInt = 3, Sum = 1.5, Schema = 0, Timestamp = 2_000 };
        var first = Event(["", "__name__", "http_requests_total", "job", "api", "code", "200", "trace_id", "t1", "Requests.", "requests"], entry =>
        {
            entry.LabelsRefs.Add([1, 2, 5, 6, 3, 4]);
            entry.Samples.Add(new Sample { Timestamp = 1_000, Value = 5, StartTimestamp = 500 });
            entry.Exemplars.Add(new Exemplar { Timestamp = 1_000, Value = 0.2, LabelsRefs = { 7, 8 } });
            entry.Metadata = new Metadata { Type = Metadata.Types.MetricType.Counter, HelpRef = 9, UnitRef = 10 };
        });
        // The same series in another event, whose symbol table numbers the strings differently.
        var second = Event(["", "job", "api", "__name__", "http_requests_total", "code", "200"], entry =>
        {
            entry.LabelsRefs.Add([3, 4, 5, 6, 1, 2]);
            entry.Samples.Add(new Sample { Timestamp = 2_000, Value = BitConverter.UInt64BitsToDouble(StaleMarker) });
            entry.Histograms.Add(histogram);
        });

        var builder = new SeriesBatchBuilder();
        builder.Add(first);
        builder.Add(second);

        var series = Assert.Single(builder.Series);
        Assert.Equal([new Label("__name__", "http_requests_total"), new Label("code", "200"), new Label("job", "api")], series.Labels);
        Assert.Equal([new Series.Sample(1_000, 5, 500), new Series.Sample(2_000, BitConverter.UInt64BitsToDouble(StaleMarker))], series.Samples);
        Assert.Equal(StaleMarker, BitConverter.DoubleToUInt64Bits(series.Samples[1].Value));
        Assert.Equal(histogram, Histogram.Parser.ParseFrom(series.Histograms.Single().Message.Span));
        Assert.Equal(new Series.Exemplar(1_000, 0.2, [new Label("trace_id", "t1")]).Labels, series.Exemplars.Single().Labels);
        Assert.Equal(new SeriesMetadata(MetricType.Counter, "Requests.", "requests"), series.Metadata);
    }

    [Fact]
    public void A_batch_built_from_events_reads_back_from_its_block_unchanged()
    {
        var builder = new SeriesBatchBuilder();
        for (var e = 0; e < 3; e++)
        {
            var time = e * 15_000L;
            builder.Add(Event(["", "__name__", "node_load1", "instance", "a:9100", "instance", "b:9100"], entry =>
            {
                entry.LabelsRefs.Add([1, 2, 3, 4]);
                entry.Samples.Add(new Sample { Timestamp = time, Value = e });
            }, extra: entry =>
            {
                entry.LabelsRefs.Add([1, 2, 5, 6]);
                entry.Samples.Add(new Sample { Timestamp = time, Value = -e });
            }));
        }

        var read = BlockAssert.Read(BlockAssert.Write(builder.Series));

        Assert.Equal(2, builder.Count);
        BlockAssert.Equal(StorageGenerators.Expected(builder.Series), read.Series);
    }

    [Fact]
    public void An_event_of_an_unknown_format_version_is_refused()
    {
        var ingestEvent = Event(["", "__name__", "up"], entry => entry.LabelsRefs.Add([1, 2]));
        ingestEvent.FormatVersion = 99;

        var error = Assert.Throws<InvalidDataException>(() => new SeriesBatchBuilder().Add(ingestEvent));

        Assert.Contains("format version 99", error.Message);
    }

    [Fact]
    public void A_label_reference_past_the_symbols_is_refused_with_the_entry_named()
    {
        var ingestEvent = Event(["", "__name__", "up"], entry => entry.LabelsRefs.Add([1, 7]));

        var error = Assert.Throws<InvalidDataException>(() => new SeriesBatchBuilder().Add(ingestEvent));

        Assert.Contains("timeseries 0", error.Message);
        Assert.Contains("reference 7", error.Message);
    }

    [Fact]
    public void A_label_name_given_twice_is_refused_with_the_entry_named()
    {
        var ingestEvent = Event(["", "__name__", "up", "job", "a", "b"], entry => entry.LabelsRefs.Add([1, 2, 3, 4, 3, 5]));

        var error = Assert.Throws<InvalidDataException>(() => new SeriesBatchBuilder().Add(ingestEvent));

        Assert.Contains("timeseries 0", error.Message);
        Assert.Contains("label job appears twice", error.Message);
    }

    private static IngestEvent Event(string[] symbols, Action<TimeSeries> fill, Action<TimeSeries>? extra = null)
    {
        var request = new Request();
        request.Symbols.Add(symbols);
        var entry = new TimeSeries();
        fill(entry);
        request.Timeseries.Add(entry);
        if (extra is not null)
        {
            var other = new TimeSeries();
            extra(other);
            request.Timeseries.Add(other);
        }

        // Through the wire format, as the compactor receives it from the log.
        var bytes = new IngestEvent { FormatVersion = IngestEventFormat.CurrentVersion, Tenant = "t", Shard = 1, Request = request }.ToByteArray();
        return IngestEvent.Parser.ParseFrom(bytes);
    }
}
