using CsCheck;
using Google.Protobuf;
using PromLake.Protocol.LogEvents;
using PromLake.Protocol.WriteV2;
using PromLake.Storage.Compaction;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;
using Exemplar = PromLake.Protocol.WriteV2.Exemplar;
using Sample = PromLake.Protocol.WriteV2.Sample;

namespace PromLake.Storage.Tests.Compaction;

/// <summary>
/// The flush buffer's hand-written decoder against Google.Protobuf: events generated and
/// serialized with the generated classes must give the same series, bit for bit, as a
/// model that reads them with those classes; and the block written from the buffer's
/// columns must be the block the writer makes from the shared model.
/// </summary>
public class FlushBufferTests
{
    private const long Hour = 1_699_999_200_000;

    private static readonly string[] Alphabet = ["", "__name__", "up", "node_load1", "job", "node", "instance", "a:9100", "b:9100", "mode", "idle", "ü→", "a\0b", "a", "help text", "seconds"];

    private static readonly Gen<double> Values = StorageGenerators.AnyDouble;

    /// <summary>Either side of an hour boundary, repeats and disorder included.</summary>
    private static readonly Gen<long> Timestamps = Gen.OneOf(Gen.Long[Hour - 3, Hour + 3], Gen.Long[Hour - 7_200_000, Hour + 7_200_000]);

    private static readonly Gen<TimeSeries> Entries =
        Gen.Select(
            Gen.Int[2, Alphabet.Length - 1].Array[0, 4],
            Gen.Select(Timestamps, Values, Gen.OneOf(Gen.Const(0L), Gen.Long[1, 1_000_000])).Array[0, 5],
            Gen.Select(Timestamps, Gen.ULong[0, 100], Values).Array[0, 2],
            Gen.Select(Timestamps, Values, Gen.Int[2, Alphabet.Length - 1]).Array[0, 2],
            Gen.Select(Gen.Bool, Gen.Int[0, 7], Gen.Int[0, Alphabet.Length - 1], Gen.Int[0, Alphabet.Length - 1]),
            Gen.Bool)
        .Select(t =>
        {
            var entry = new TimeSeries();
            // Label names distinct within an entry; order as generated (not always sorted).
            var names = new HashSet<int>();
            foreach (var value in t.Item1)
            {
                var name = 4 + ((value - 2) % 3 * 2);
                if (names.Add(name))
                {
                    entry.LabelsRefs.Add([(uint)name, (uint)value]);
                }
            }

            if (t.Item6)
            {
                entry.LabelsRefs.Add([1, 2]);
            }

            foreach (var (timestamp, value, start) in t.Item2)
            {
                entry.Samples.Add(new Sample { Timestamp = timestamp, Value = value, StartTimestamp = start });
            }

            if (entry.Samples.Count == 0)
            {
                foreach (var (timestamp, count, sum) in t.Item3)
                {
                    entry.Histograms.Add(new Histogram { Timestamp = timestamp, CountInt = count, Sum = sum, Schema = 1 });
                }
            }

            foreach (var (timestamp, value, label) in t.Item4)
            {
                entry.Exemplars.Add(new Exemplar { Timestamp = timestamp, Value = value, LabelsRefs = { 6, (uint)label } });
            }

            if (t.Item5.Item1)
            {
                entry.Metadata = new Metadata { Type = (Metadata.Types.MetricType)t.Item5.Item2, HelpRef = (uint)t.Item5.Item3, UnitRef = (uint)t.Item5.Item4 };
            }

            return entry;
        });

    /// <summary>
    /// Events of two tenants; the symbol table sometimes after the series on the wire, and
    /// in an order of its own in each event (so the same label has other references).
    /// </summary>
    private static readonly Gen<byte[][]> Events =
        Gen.Select(Entries.Array[0, 6], Gen.Bool, Gen.Bool, Gen.Long[Hour - 5_000, Hour + 5_000], Gen.Int[0, Alphabet.Length - 2])
            .Select(t =>
            {
                var series = new Request();
                series.Timeseries.Add(t.Item1.Select(e => Renumbered(e, t.Item5)));
                var symbols = new Request();
                symbols.Symbols.Add(Alphabet.Select((_, i) => Alphabet[Original(i, t.Item5)]));
                // Concatenated messages merge: the same Request either way round.
                var request = t.Item2 ? [.. symbols.ToByteArray(), .. series.ToByteArray()] : series.ToByteArray().Concat(symbols.ToByteArray()).ToArray();
                var envelope = new IngestEvent { FormatVersion = IngestEventFormat.CurrentVersion, Tenant = t.Item3 ? "tenant-a" : "b", ReceivedAtMs = t.Item4, Shard = 3 };
                return envelope.ToByteArray().Concat(RequestField(request)).ToArray();
            })
            .Array[1, 4];

    [Fact]
    public void Hand_decoded_events_give_the_series_the_protobuf_classes_give()
    {
        Events.Sample(events =>
        {
            var buffer = new FlushBuffer();
            for (var i = 0; i < events.Length; i++)
            {
                buffer.Add(i, i + 1, events[i]);
            }

            var expected = Model(events);
            var actual = buffer.Partitions;
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (key, series) in expected)
            {
                Assert.Equal(series.Keys.Order(), actual[key].Keys.Order());
                foreach (var (id, s) in series)
                {
                    BlockAssert.Equal([s], [actual[key][id]]);
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void A_block_written_from_the_columns_is_the_block_of_the_shared_model()
    {
        Events.Sample(events =>
        {
            var buffer = new FlushBuffer();
            for (var i = 0; i < events.Length; i++)
            {
                buffer.Add(i, i + 1, events[i]);
            }

            AssertBlocksAreTheSharedModels(buffer);
        }, iter: 100);
    }

    [Fact]
    public void A_cleared_buffer_reused_for_the_next_flush_holds_only_that_flush()
    {
        var events = Events.Single(e => e.Length > 1, seed: "0000yK0Lh6Vu");
        var buffer = new FlushBuffer();
        buffer.Add(0, 1, events[0]);
        buffer.Clear();
        for (var i = 1; i < events.Length; i++)
        {
            buffer.Add(i, i + 1, events[i]);
        }

        var expected = Model(events[1..]);
        Assert.Equal(expected.Keys.Order(), buffer.Partitions.Keys.Order());
        Assert.Equal(1, buffer.FirstPosition);
        Assert.Equal(events.Length - 1, buffer.Events);
    }

    [Fact]
    public void Blocks_of_a_reused_buffer_stay_in_block_order_as_new_series_arrive()
    {
        Gen.Select(Events, Events).Sample((first, second) =>
        {
            var buffer = new FlushBuffer();
            foreach (var events in new[] { first, second })
            {
                buffer.Clear();
                for (var i = 0; i < events.Length; i++)
                {
                    buffer.Add(i, i + 1, events[i]);
                }

                AssertBlocksAreTheSharedModels(buffer);
            }
        }, iter: 60);
    }

    [Fact]
    public void An_event_of_an_unknown_format_version_is_refused()
    {
        var bytes = new IngestEvent { FormatVersion = 99, Tenant = "t" }.ToByteArray();

        var error = Assert.Throws<InvalidDataException>(() => new FlushBuffer().Add(5, 6, bytes));

        Assert.Contains("position 5", error.Message);
        Assert.Contains("format version 99", error.Message);
    }

    [Fact]
    public void A_label_reference_past_the_symbols_is_refused_with_the_entry_named()
    {
        var request = new Request { Symbols = { "", "__name__", "up" }, Timeseries = { new TimeSeries { LabelsRefs = { 1, 7 }, Samples = { new Sample { Timestamp = 1, Value = 1 } } } } };
        var bytes = new IngestEvent { FormatVersion = IngestEventFormat.CurrentVersion, Tenant = "t", Request = request }.ToByteArray();

        var error = Assert.Throws<InvalidDataException>(() => new FlushBuffer().Add(0, 1, bytes));

        Assert.Contains("timeseries 0", error.Message);
        Assert.Contains("reference 7", error.Message);
    }

    [Fact]
    public void A_truncated_event_is_refused_with_its_position()
    {
        var request = new Request { Symbols = { "", "__name__", "up" }, Timeseries = { new TimeSeries { LabelsRefs = { 1, 2 }, Samples = { new Sample { Timestamp = 1, Value = 1 } } } } };
        var bytes = new IngestEvent { FormatVersion = IngestEventFormat.CurrentVersion, Tenant = "t", Request = request }.ToByteArray();

        var error = Assert.Throws<InvalidDataException>(() => new FlushBuffer().Add(42, 43, bytes[..^3]));

        Assert.Contains("position 42", error.Message);
    }

    /// <summary>Each block written from the buffer's columns is byte for byte the writer's block of the shared model.</summary>
    private static void AssertBlocksAreTheSharedModels(FlushBuffer buffer)
    {
        var model = buffer.Partitions;
        foreach (var partition in buffer.Blocks)
        {
            var expected = BlockAssert.Write(L0Flush.Deduplicate(model[(partition.Tenant, partition.Hour)].Values));
            using var actual = new MemoryStream();
            L0Flush.WriteBlockAsync(new SampleBlockWriter(), partition, actual).GetAwaiter().GetResult();
            Assert.Equal(expected, actual.ToArray());
        }
    }

    /// <summary>Where symbol <paramref name="reference"/> of <see cref="Alphabet"/> stands in a table rotated by <paramref name="shift"/> ("" stays first).</summary>
    private static uint Rotated(uint reference, int shift) =>
        reference == 0 ? 0 : 1 + (uint)((reference - 1 + shift) % (Alphabet.Length - 1));

    private static int Original(int rotated, int shift) =>
        rotated == 0 ? 0 : 1 + ((rotated - 1 - shift + (2 * (Alphabet.Length - 1))) % (Alphabet.Length - 1));

    private static TimeSeries Renumbered(TimeSeries entry, int shift)
    {
        var copy = entry.Clone();
        for (var i = 0; i < copy.LabelsRefs.Count; i++)
        {
            copy.LabelsRefs[i] = Rotated(copy.LabelsRefs[i], shift);
        }

        foreach (var exemplar in copy.Exemplars)
        {
            for (var i = 0; i < exemplar.LabelsRefs.Count; i++)
            {
                exemplar.LabelsRefs[i] = Rotated(exemplar.LabelsRefs[i], shift);
            }
        }

        if (copy.Metadata is { } metadata)
        {
            metadata.HelpRef = Rotated(metadata.HelpRef, shift);
            metadata.UnitRef = Rotated(metadata.UnitRef, shift);
        }

        return copy;
    }

    private static byte[] RequestField(byte[] request)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(IngestEvent.RequestFieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(request));
        output.Flush();
        return stream.ToArray();
    }

    /// <summary>What the buffer must hold, read with the generated classes: series per (tenant, hour) and id, in log order.</summary>
    private static Dictionary<(string Tenant, long Hour), Dictionary<ulong, StoredSeries>> Model(byte[][] events)
    {
        var partitions = new Dictionary<(string, long), Dictionary<ulong, StoredSeries>>();
        foreach (var bytes in events)
        {
            var e = IngestEvent.Parser.ParseFrom(bytes);
            var symbols = e.Request.Symbols;
            foreach (var ts in e.Request.Timeseries)
            {
                var labels = new List<Label>();
                for (var i = 0; i < ts.LabelsRefs.Count; i += 2)
                {
                    labels.Add(new Label(symbols[(int)ts.LabelsRefs[i]], symbols[(int)ts.LabelsRefs[i + 1]]));
                }

                StoredSeries In(long time)
                {
                    var key = (e.Tenant, BlockLayout.HourOf(time));
                    if (!partitions.TryGetValue(key, out var series))
                    {
                        partitions[key] = series = [];
                    }

                    var id = new StoredSeries(labels).Id;
                    if (!series.TryGetValue(id, out var s))
                    {
                        series[id] = s = new StoredSeries(labels);
                    }

                    return s;
                }

                foreach (var sample in ts.Samples)
                {
                    In(sample.Timestamp).Samples.Add(new Series.Sample(sample.Timestamp, sample.Value, sample.StartTimestamp));
                }

                foreach (var histogram in ts.Histograms)
                {
                    In(histogram.Timestamp).Histograms.Add(new HistogramSample(histogram.Timestamp, histogram.ToByteArray()));
                }

                foreach (var exemplar in ts.Exemplars)
                {
                    var exemplarLabels = new Label[exemplar.LabelsRefs.Count / 2];
                    for (var i = 0; i < exemplarLabels.Length; i++)
                    {
                        exemplarLabels[i] = new Label(symbols[(int)exemplar.LabelsRefs[2 * i]], symbols[(int)exemplar.LabelsRefs[(2 * i) + 1]]);
                    }

                    In(exemplar.Timestamp).Exemplars.Add(new Series.Exemplar(exemplar.Timestamp, exemplar.Value, exemplarLabels));
                }

                if (ts.Metadata is { } m)
                {
                    var time = ts.Samples.Count > 0 ? ts.Samples[0].Timestamp : ts.Histograms.Count > 0 ? ts.Histograms[0].Timestamp : e.ReceivedAtMs;
                    In(time).Metadata = new SeriesMetadata((MetricType)(int)m.Type, symbols[(int)m.HelpRef], symbols[(int)m.UnitRef]);
                }
            }
        }

        return partitions;
    }
}
