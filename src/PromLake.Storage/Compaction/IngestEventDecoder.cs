using System.Text;
using PromLake.Protocol.LogEvents;
using PromLake.Protocol.RemoteWrite;
using PromLake.Protocol.Wire;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Decodes a log event (<c>promlake.log.v1.IngestEvent</c>) by hand, straight from its bytes,
/// and hands each <c>TimeSeries</c> entry to a <see cref="FlushBuffer"/> as a reused
/// <see cref="LogEntry"/>: no message objects, no per-sample allocation, no strings (labels
/// stay references into the event's symbol table until the buffer interns them per series).
/// Reused from event to event; not thread-safe.
/// </summary>
/// <remarks>
/// <code>
/// message IngestEvent { uint32 format_version = 1; string tenant = 2; int64 received_at_ms = 3; uint32 shard = 4;
///                       io.prometheus.write.v2.Request request = 5; }
/// message Request    { reserved 1 to 3; repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
/// message TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2; repeated Histogram histograms = 3;
///                      repeated Exemplar exemplars = 4; Metadata metadata = 5; }
/// message Sample     { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
/// message Exemplar   { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
/// message Metadata   { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
/// </code>
/// The symbol table may follow the series on the wire, so the request is read twice:
/// symbols first, then series.
/// </remarks>
internal sealed class IngestEventDecoder
{
    private readonly LogEntry _entry = new();
    private Utf8Ref[] _symbols = new Utf8Ref[1024];
    private int _symbolCount;

    /// <summary>The event's symbol table, valid until the next event is decoded.</summary>
    public ReadOnlySpan<Utf8Ref> Symbols => _symbols.AsSpan(0, _symbolCount);

    /// <summary>How many events this decoder has begun: names the current symbol table for caches of it.</summary>
    public int EventNumber { get; private set; }

    /// <exception cref="InvalidDataException">The event is malformed or of a format version this compactor does not read.</exception>
    public void Decode(ReadOnlySpan<byte> payload, long position, FlushBuffer sink)
    {
        try
        {
            DecodeEvent(payload, position, sink);
        }
        catch (WireFormatException e)
        {
            throw new InvalidDataException($"log event at position {position}: {e.Message}", e);
        }
    }

    private void DecodeEvent(ReadOnlySpan<byte> payload, long position, FlushBuffer sink)
    {
        uint version = 0;
        var tenant = Utf8Ref.Empty;
        long receivedAtMs = 0;
        var request = (Start: 0, End: 0);
        var reader = new ProtoReader(payload);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.Varint, "IngestEvent", field);
                    version = (uint)reader.ReadVarint();
                    break;
                case 2:
                    reader.Expect(wireType, WireType.LengthDelimited, "IngestEvent", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    tenant = new Utf8Ref(start, end - start);
                    break;
                case 3:
                    reader.Expect(wireType, WireType.Varint, "IngestEvent", field);
                    receivedAtMs = (long)reader.ReadVarint();
                    break;
                case 5:
                    reader.Expect(wireType, WireType.LengthDelimited, "IngestEvent", field);
                    request = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        if (version != IngestEventFormat.CurrentVersion)
        {
            throw new InvalidDataException($"log event at position {position} has format version {version}; this compactor reads version {IngestEventFormat.CurrentVersion}");
        }

        sink.BeginEvent(tenant.Span(payload), receivedAtMs);
        ReadSymbols(reader.Nested(request.Start, request.End));
        var series = reader.Nested(request.Start, request.End);
        var index = 0;
        while (series.TryReadTag(out var field, out var wireType))
        {
            if (field != 5)
            {
                series.Skip(wireType);
                continue;
            }

            series.Expect(wireType, WireType.LengthDelimited, "Request", field);
            var (start, end) = series.ReadLengthDelimited();
            _entry.Clear();
            DecodeEntry(payload, series.Nested(start, end), index);
            sink.AddEntry(payload, this, _entry, index);
            index++;
        }
    }

    private void ReadSymbols(ProtoReader reader)
    {
        _symbolCount = 0;
        EventNumber++;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field != 4)
            {
                reader.Skip(wireType);
                continue;
            }

            reader.Expect(wireType, WireType.LengthDelimited, "Request", field);
            var (start, end) = reader.ReadLengthDelimited();
            if (_symbolCount == _symbols.Length)
            {
                Array.Resize(ref _symbols, _symbols.Length * 2);
            }

            _symbols[_symbolCount++] = new Utf8Ref(start, end - start);
        }
    }

    private void DecodeEntry(ReadOnlySpan<byte> payload, ProtoReader reader, int index)
    {
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    ReadRefs(ref reader, wireType, _entry.LabelRefs);
                    break;
                case 2:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    var (start, end) = reader.ReadLengthDelimited();
                    DecodeSample(reader.Nested(start, end));
                    break;
                case 3:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    (start, end) = reader.ReadLengthDelimited();
                    var timestamp = HistogramScan.ReadTimestamp(reader.Nested(start, end));
                    _entry.Histograms.Add(new HistogramSample(timestamp, payload[start..end].ToArray()));
                    break;
                case 4:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    (start, end) = reader.ReadLengthDelimited();
                    _entry.Exemplars.Add(DecodeExemplar(payload, reader.Nested(start, end), index));
                    break;
                case 5:
                    reader.Expect(wireType, WireType.LengthDelimited, "TimeSeries", field);
                    (start, end) = reader.ReadLengthDelimited();
                    DecodeMetadata(reader.Nested(start, end), index);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private void DecodeSample(ProtoReader reader)
    {
        ulong valueBits = 0;
        long timestamp = 0;
        long start = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.Fixed64, "Sample", field);
                    valueBits = reader.ReadFixed64();
                    break;
                case 2:
                    reader.Expect(wireType, WireType.Varint, "Sample", field);
                    timestamp = (long)reader.ReadVarint();
                    break;
                case 3:
                    reader.Expect(wireType, WireType.Varint, "Sample", field);
                    start = (long)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        _entry.Samples.Append(timestamp, BitConverter.UInt64BitsToDouble(valueBits), start);
    }

    private Exemplar DecodeExemplar(ReadOnlySpan<byte> payload, ProtoReader reader, int index)
    {
        var refs = new List<uint>();
        ulong valueBits = 0;
        long timestamp = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    ReadRefs(ref reader, wireType, refs);
                    break;
                case 2:
                    reader.Expect(wireType, WireType.Fixed64, "Exemplar", field);
                    valueBits = reader.ReadFixed64();
                    break;
                case 3:
                    reader.Expect(wireType, WireType.Varint, "Exemplar", field);
                    timestamp = (long)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        var labels = new Label[refs.Count / 2];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = new Label(SymbolString(payload, refs[2 * i], index), SymbolString(payload, refs[(2 * i) + 1], index));
        }

        return new Exemplar(timestamp, BitConverter.UInt64BitsToDouble(valueBits), labels);
    }

    private void DecodeMetadata(ProtoReader reader, int index)
    {
        _entry.HasMetadata = true;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.Varint, "Metadata", field);
                    _entry.MetadataType = (MetricType)(int)reader.ReadVarint();
                    break;
                case 3:
                    reader.Expect(wireType, WireType.Varint, "Metadata", field);
                    _entry.MetadataHelp = Symbol(CheckedRef(reader.ReadVarint()), index);
                    break;
                case 4:
                    reader.Expect(wireType, WireType.Varint, "Metadata", field);
                    _entry.MetadataUnit = Symbol(CheckedRef(reader.ReadVarint()), index);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    /// <summary>A repeated uint32, packed (the proto3 default) or not.</summary>
    private static void ReadRefs(ref ProtoReader reader, WireType wireType, List<uint> refs)
    {
        if (wireType == WireType.Varint)
        {
            refs.Add(CheckedRef(reader.ReadVarint()));
            return;
        }

        reader.Expect(wireType, WireType.LengthDelimited, "labels_refs", 1);
        var (start, end) = reader.ReadLengthDelimited();
        var packed = reader.Nested(start, end);
        while (!packed.AtEnd)
        {
            refs.Add(CheckedRef(packed.ReadVarint()));
        }
    }

    private static uint CheckedRef(ulong value) =>
        value <= uint.MaxValue ? (uint)value : throw new WireFormatException($"symbol reference {value} does not fit uint32");

    /// <summary>The symbol a reference names; the caller's entry index goes into the error.</summary>
    public Utf8Ref Symbol(uint reference, int index) =>
        reference < _symbolCount
            ? _symbols[reference]
            : throw new InvalidDataException($"timeseries {index}: symbol reference {reference} is past the {_symbolCount} symbols");

    private string SymbolString(ReadOnlySpan<byte> payload, uint reference, int index) => Encoding.UTF8.GetString(Symbol(reference, index).Span(payload));
}
