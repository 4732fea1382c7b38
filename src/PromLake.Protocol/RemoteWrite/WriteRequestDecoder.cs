using PromLake.Protocol.Wire;

namespace PromLake.Protocol.RemoteWrite;

/// <summary>
/// Decodes a Remote-Write 1.0 <c>prometheus.WriteRequest</c> by hand into a
/// pooled <see cref="DecodedWriteRequest"/>, without allocating per series.
/// </summary>
/// <remarks>
/// <code>
/// message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
/// message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
///                        repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
/// message Label        { string name = 1; string value = 2; }
/// message Sample       { double value = 1; int64 timestamp = 2; }
/// message Exemplar     { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
/// message MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
/// </code>
/// Unknown fields are skipped, as protobuf requires; a known field with the
/// wrong wire type is an error, as in Prometheus's own decoder.
/// </remarks>
public static class WriteRequestDecoder
{
    public static void Decode(DecodedWriteRequest target, ReadOnlyMemory<byte> body)
    {
        target.Reset(body, RemoteWriteVersion.V1);
        var span = body.Span;
        var reader = new ProtoReader(span);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.LengthDelimited, "WriteRequest", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    DecodeSeries(target, reader.Nested(start, end));
                    break;
                case 3:
                    reader.Expect(wireType, WireType.LengthDelimited, "WriteRequest", field);
                    (start, end) = reader.ReadLengthDelimited();
                    DecodeMetadata(target, reader.Nested(start, end));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private static void DecodeSeries(DecodedWriteRequest target, ProtoReader reader)
    {
        ref var series = ref target.AddSeries();
        series.LabelStart = target.LabelCount;
        series.SampleStart = target.SampleCount;
        series.HistogramStart = target.HistogramCount;
        series.ExemplarStart = target.ExemplarCount;

        // Prometheus writes labels, then samples, exemplars, histograms, but the
        // schema allows any order; series parts are contiguous in their arrays only
        // if we take each repeated field as it comes, so interleaving is refused.
        var lastField = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field is >= 1 and <= 4)
            {
                reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                if (field < lastField)
                {
                    ThrowInterleaved(field, lastField);
                }

                lastField = field;
            }

            switch (field)
            {
                case 1:
                    var (start, end) = reader.ReadLengthDelimited();
                    DecodeLabel(ref target.AddLabel(), reader.Nested(start, end));
                    series.LabelCount++;
                    break;
                case 2:
                    (start, end) = reader.ReadLengthDelimited();
                    SampleDecoding.Decode(ref target.AddSample(), reader.Nested(start, end), withStartTimestamp: false);
                    series.SampleCount++;
                    break;
                case 3:
                    (start, end) = reader.ReadLengthDelimited();
                    DecodeExemplar(target, reader.Nested(start, end));
                    series.ExemplarCount++;
                    break;
                case 4:
                    (start, end) = reader.ReadLengthDelimited();
                    ref var histogram = ref target.AddHistogram();
                    histogram.Message = new Utf8Ref(start, end - start);
                    histogram.Timestamp = HistogramScan.ReadTimestamp(reader.Nested(start, end));
                    series.HistogramCount++;
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private static void ThrowInterleaved(int field, int lastField) =>
        throw new WireFormatException($"TimeSeries field {field} after field {lastField}: repeated fields of a series must not be interleaved");

    private static void DecodeLabel(ref LabelEntry label, ProtoReader reader)
    {
        label = default;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.LengthDelimited, "Label", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    label.Name = new Utf8Ref(start, end - start);
                    break;
                case 2:
                    reader.Expect(wireType, WireType.LengthDelimited, "Label", field);
                    (start, end) = reader.ReadLengthDelimited();
                    label.Value = new Utf8Ref(start, end - start);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private static void DecodeExemplar(DecodedWriteRequest target, ProtoReader reader)
    {
        ref var exemplar = ref target.AddExemplar();
        exemplar.LabelStart = target.LabelCount;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.LengthDelimited, "Exemplar", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    DecodeLabel(ref target.AddLabel(), reader.Nested(start, end));
                    exemplar.LabelCount++;
                    break;
                case 2:
                    reader.Expect(wireType, WireType.Fixed64, "Exemplar", field);
                    exemplar.ValueBits = reader.ReadFixed64();
                    break;
                case 3:
                    reader.Expect(wireType, WireType.Varint, "Exemplar", field);
                    exemplar.Timestamp = (long)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private static void DecodeMetadata(DecodedWriteRequest target, ProtoReader reader)
    {
        ref var metadata = ref target.AddFamilyMetadata();
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.Varint, "MetricMetadata", field);
                    metadata.Type = (int)reader.ReadVarint();
                    break;
                case 2:
                    reader.Expect(wireType, WireType.LengthDelimited, "MetricMetadata", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    metadata.FamilyName = new Utf8Ref(start, end - start);
                    break;
                case 4:
                    reader.Expect(wireType, WireType.LengthDelimited, "MetricMetadata", field);
                    (start, end) = reader.ReadLengthDelimited();
                    metadata.Help = new Utf8Ref(start, end - start);
                    break;
                case 5:
                    reader.Expect(wireType, WireType.LengthDelimited, "MetricMetadata", field);
                    (start, end) = reader.ReadLengthDelimited();
                    metadata.Unit = new Utf8Ref(start, end - start);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }
}
