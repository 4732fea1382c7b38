using PromLake.Protocol.Wire;

namespace PromLake.Protocol.RemoteWrite;

/// <summary>
/// Decodes a Remote-Write 2.0 <c>io.prometheus.write.v2.Request</c> by hand into
/// the same pooled <see cref="DecodedWriteRequest"/> shape as 1.0, resolving
/// symbol references to body slices once the whole message has been read (the
/// symbol table may come after the series on the wire).
/// </summary>
/// <remarks>
/// <code>
/// message Request    { reserved 1 to 3; repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
/// message TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2; repeated Histogram histograms = 3;
///                      repeated Exemplar exemplars = 4; Metadata metadata = 5; reserved 6; }
/// message Sample     { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
/// message Exemplar   { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
/// message Metadata   { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
/// </code>
/// Structural problems of one series (a reference out of range, an odd number
/// of label references, samples and histograms together) are recorded on the
/// series as its <see cref="SeriesEntry.Defect"/> so the rest of the request can
/// still be written; problems of the request as a whole throw.
/// </remarks>
public static class WriteV2RequestDecoder
{
    public static void Decode(DecodedWriteRequest target, ReadOnlyMemory<byte> body)
    {
        target.Reset(body, RemoteWriteVersion.V2);
        var span = body.Span;
        var reader = new ProtoReader(span);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 4:
                    reader.Expect(wireType, WireType.LengthDelimited, "Request", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    target.AddSymbol(new Utf8Ref(start, end - start));
                    break;
                case 5:
                    reader.Expect(wireType, WireType.LengthDelimited, "Request", field);
                    (start, end) = reader.ReadLengthDelimited();
                    DecodeSeries(target, reader.Nested(start, end));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        // RW 2.0: "symbols array MUST start with empty string". An empty table is
        // allowed only when nothing references it.
        var symbols = target.Symbols;
        if (symbols.Length > 0 && symbols[0].Length != 0)
        {
            throw new WireFormatException("symbols[0] must be the empty string (Remote-Write 2.0 symbol table rule)");
        }

        Resolve(target);
    }

    private static void DecodeSeries(DecodedWriteRequest target, ProtoReader reader)
    {
        ref var series = ref target.AddSeries();
        series.RefStart = target.RefCount;
        series.SampleStart = target.SampleCount;
        series.HistogramStart = target.HistogramCount;
        series.ExemplarStart = target.ExemplarCount;
        var lastField = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field is >= 1 and <= 4)
            {
                if (field < lastField)
                {
                    throw new WireFormatException($"TimeSeries field {field} after field {lastField}: repeated fields of a series must not be interleaved");
                }

                lastField = field;
            }

            switch (field)
            {
                case 1:
                    series.RefCount += ReadRefs(target, ref reader, wireType);
                    break;
                case 2:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    SampleDecoding.Decode(ref target.AddSample(), reader.Nested(start, end), withStartTimestamp: true);
                    series.SampleCount++;
                    break;
                case 3:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    (start, end) = reader.ReadLengthDelimited();
                    ref var histogram = ref target.AddHistogram();
                    histogram.Message = new Utf8Ref(start, end - start);
                    histogram.Timestamp = HistogramScan.ReadTimestamp(reader.Nested(start, end));
                    series.HistogramCount++;
                    break;
                case 4:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    (start, end) = reader.ReadLengthDelimited();
                    DecodeExemplar(target, reader.Nested(start, end));
                    series.ExemplarCount++;
                    break;
                case 5:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    (start, end) = reader.ReadLengthDelimited();
                    series.HasMetadata = true;
                    DecodeMetadata(ref series.Metadata, reader.Nested(start, end));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    /// <summary>Reads a repeated uint32, packed (the proto3 default) or not; returns how many.</summary>
    private static int ReadRefs(DecodedWriteRequest target, ref ProtoReader reader, WireType wireType)
    {
        if (wireType == WireType.Varint)
        {
            target.AddRef(CheckedRef(reader.ReadVarint()));
            return 1;
        }

        reader.Expect(wireType, WireType.LengthDelimited, "labels_refs", 1);
        var (start, end) = reader.ReadLengthDelimited();
        var packed = reader.Nested(start, end);
        var count = 0;
        while (!packed.AtEnd)
        {
            target.AddRef(CheckedRef(packed.ReadVarint()));
            count++;
        }

        return count;
    }

    private static uint CheckedRef(ulong value) =>
        value <= uint.MaxValue ? (uint)value : throw new WireFormatException($"symbol reference {value} does not fit uint32");

    private static void DecodeExemplar(DecodedWriteRequest target, ProtoReader reader)
    {
        ref var exemplar = ref target.AddExemplar();
        exemplar.RefStart = target.RefCount;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    exemplar.RefCount += ReadRefs(target, ref reader, wireType);
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

    private static void DecodeMetadata(ref MetadataEntry metadata, ProtoReader reader)
    {
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.Varint, "Metadata", field);
                    metadata.Type = (int)reader.ReadVarint();
                    break;
                case 3:
                    reader.Expect(wireType, WireType.Varint, "Metadata", field);
                    metadata.HelpRef = CheckedRef(reader.ReadVarint());
                    break;
                case 4:
                    reader.Expect(wireType, WireType.Varint, "Metadata", field);
                    metadata.UnitRef = CheckedRef(reader.ReadVarint());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    /// <summary>Turns every series' and exemplar's references into label slices.</summary>
    private static void Resolve(DecodedWriteRequest target)
    {
        var symbols = target.Symbols;
        var refs = target.Refs;
        var series = target.Series;
        for (var i = 0; i < series.Length; i++)
        {
            ref var s = ref series[i];
            s.LabelStart = target.LabelCount;
            if (s.SampleCount > 0 && s.HistogramCount > 0)
            {
                // RW 2.0: "Timeseries messages can either specify samples or (native) histogram samples, but not both."
                s.Defect = "series carries both samples and histograms";
            }

            var defect = ResolveLabels(target, refs.Slice(s.RefStart, s.RefCount), symbols, out var count);
            s.LabelCount = count;
            s.Defect ??= defect;
            if (s.HasMetadata)
            {
                if (s.Metadata.HelpRef >= symbols.Length || s.Metadata.UnitRef >= symbols.Length)
                {
                    s.Defect ??= $"metadata references a symbol past the end of the table ({symbols.Length} symbols)";
                }
                else
                {
                    s.Metadata.Help = symbols[(int)s.Metadata.HelpRef];
                    s.Metadata.Unit = symbols[(int)s.Metadata.UnitRef];
                }
            }

            var exemplars = target.Exemplars.Slice(s.ExemplarStart, s.ExemplarCount);
            for (var e = 0; e < exemplars.Length; e++)
            {
                ref var exemplar = ref exemplars[e];
                exemplar.LabelStart = target.LabelCount;
                var exemplarDefect = ResolveLabels(target, refs.Slice(exemplar.RefStart, exemplar.RefCount), symbols, out var exemplarCount);
                exemplar.LabelCount = exemplarCount;
                if (exemplarDefect is not null)
                {
                    s.Defect ??= "exemplar " + exemplarDefect;
                }
            }
        }
    }

    private static string? ResolveLabels(DecodedWriteRequest target, ReadOnlySpan<uint> refs, ReadOnlySpan<Utf8Ref> symbols, out int count)
    {
        count = 0;
        if ((refs.Length & 1) != 0)
        {
            // RW 2.0: labels_refs' "length is always a multiple of two".
            return $"labels_refs has odd length {refs.Length}";
        }

        for (var i = 0; i < refs.Length; i += 2)
        {
            var name = refs[i];
            var value = refs[i + 1];
            if (name >= symbols.Length || value >= symbols.Length)
            {
                return $"label reference {Math.Max(name, value)} is past the end of the symbol table ({symbols.Length} symbols)";
            }

            ref var label = ref target.AddLabel();
            label.Name = symbols[(int)name];
            label.Value = symbols[(int)value];
            count++;
        }

        return null;
    }
}
