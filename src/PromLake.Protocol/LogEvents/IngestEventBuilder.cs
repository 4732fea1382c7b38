using System.Buffers;
using System.Text;
using PromLake.Protocol.RemoteWrite;
using PromLake.Protocol.Wire;

namespace PromLake.Protocol.LogEvents;

/// <summary>
/// Builds the log events of one shard for one request: an <c>IngestEvent</c>
/// envelope around a Remote-Write 2.0 Request holding the shard's series.
/// Series are symbolised and encoded straight from the decoded request body;
/// an event is cut when adding the next series would take it past the target
/// size. Reused across requests; not thread-safe.
/// </summary>
public sealed class IngestEventBuilder : IDisposable
{
    private readonly int _targetBytes;
    private readonly SymbolTable _symbols = new();
    private readonly GrowableBuffer _series = new();
    private uint[] _labelRefs = new uint[64];
    private uint[] _exemplarRefs = new uint[64];
    private byte[] _tenant = [];
    private long _receivedAtMs;
    private int _shard;
    private List<PooledEvent>? _output;
    private DecodedWriteRequest? _request;
    private uint _metadataHelpRef;
    private uint _metadataUnitRef;

    public IngestEventBuilder(int targetEventBytes = IngestEventFormat.DefaultTargetEventBytes)
    {
        if (targetEventBytes is < 1024 or > IngestEventFormat.MaxEventBytes / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(targetEventBytes), targetEventBytes,
                $"the target event size must be between 1 KiB and {IngestEventFormat.MaxEventBytes / 2} bytes");
        }

        _targetBytes = targetEventBytes;
    }

    /// <summary>Number of TimeSeries entries in the event being built.</summary>
    public int PendingEntries { get; private set; }

    /// <summary>Starts a request's events for one shard; completed events are appended to <paramref name="output"/>.</summary>
    public void Begin(DecodedWriteRequest request, string tenant, long receivedAtMs, int shard, List<PooledEvent> output)
    {
        _request = request;
        if (_tenant.Length != Encoding.UTF8.GetByteCount(tenant) || Encoding.UTF8.GetString(_tenant) != tenant)
        {
            _tenant = Encoding.UTF8.GetBytes(tenant);
        }

        _receivedAtMs = receivedAtMs;
        _shard = shard;
        _output = output;
        StartEvent();
    }

    /// <summary>Adds a series with all its samples, histograms, exemplars and metadata.</summary>
    public void AddSeries(in SeriesEntry series)
    {
        var request = _request!;
        var labels = request.LabelsOf(series);
        var samples = request.Samples.Slice(series.SampleStart, series.SampleCount);
        var histograms = request.Histograms.Slice(series.HistogramStart, series.HistogramCount);
        var exemplars = request.Exemplars.Slice(series.ExemplarStart, series.ExemplarCount);
        var metadata = series.HasMetadata ? series.Metadata : (MetadataEntry?)null;

        // Common case first: everything fits in one entry.
        if (samples.Length <= IngestEventFormat.MaxSamplesPerEntry
            && exemplars.Length <= IngestEventFormat.MaxExemplarsPerEntry
            && (histograms.Length == 0 || HistogramBytes(histograms) <= IngestEventFormat.MaxHistogramBytesPerEntry))
        {
            AddEntry(request, labels, samples, histograms, exemplars, metadata);
            return;
        }

        while (samples.Length > 0)
        {
            var take = Math.Min(samples.Length, IngestEventFormat.MaxSamplesPerEntry);
            AddEntry(request, labels, samples[..take], default, default, metadata);
            metadata = null;
            samples = samples[take..];
        }

        while (histograms.Length > 0)
        {
            var take = 0;
            var bytes = 0;
            while (take < histograms.Length && (take == 0 || bytes + histograms[take].Message.Length <= IngestEventFormat.MaxHistogramBytesPerEntry))
            {
                bytes += histograms[take].Message.Length;
                take++;
            }

            AddEntry(request, labels, default, histograms[..take], default, metadata);
            metadata = null;
            histograms = histograms[take..];
        }

        while (exemplars.Length > 0)
        {
            var take = Math.Min(exemplars.Length, IngestEventFormat.MaxExemplarsPerEntry);
            AddEntry(request, labels, default, default, exemplars[..take], metadata);
            metadata = null;
            exemplars = exemplars[take..];
        }
    }

    /// <summary>
    /// Adds RW 1.0 metric-family metadata as an entry whose only label is
    /// <c>__name__</c> and which carries no samples.
    /// </summary>
    public void AddFamilyMetadata(in MetadataEntry metadata)
    {
        var request = _request!;
        Span<LabelEntry> name = [new LabelEntry { Name = new Utf8Ref(SymbolTable.MetricNameOffset, 8), Value = metadata.FamilyName }];
        AddEntry(request, name, default, default, default, metadata);
    }

    /// <summary>Completes the last event of the shard, if it holds anything.</summary>
    public void Complete()
    {
        if (PendingEntries > 0)
        {
            EmitEvent(_symbols.Count, _symbols.EncodedBytes);
        }

        _output = null;
        _request = null;
    }

    private static int HistogramBytes(ReadOnlySpan<HistogramEntry> histograms)
    {
        var total = 0;
        foreach (ref readonly var h in histograms)
        {
            total += h.Message.Length;
        }

        return total;
    }

    private void StartEvent()
    {
        _symbols.Clear();
        _series.Clear();
        PendingEntries = 0;
    }

    private void AddEntry(
        DecodedWriteRequest request,
        ReadOnlySpan<LabelEntry> labels,
        ReadOnlySpan<SampleEntry> samples,
        ReadOnlySpan<HistogramEntry> histograms,
        ReadOnlySpan<ExemplarEntry> exemplars,
        MetadataEntry? metadata)
    {
        var body = request.Body.Span;
        var symbolsBefore = _symbols.Count;
        var symbolBytesBefore = _symbols.EncodedBytes;
        var entryLength = Symbolise(request, body, labels, exemplars, metadata, samples, histograms);
        var entryBytes = ProtoSize.LengthDelimited(entryLength);

        if (PendingEntries > 0 && EventSize(_symbols.EncodedBytes, _series.Length + entryBytes) > _targetBytes)
        {
            EmitEvent(symbolsBefore, symbolBytesBefore);
            StartEvent();
            entryLength = Symbolise(request, body, labels, exemplars, metadata, samples, histograms);
            entryBytes = ProtoSize.LengthDelimited(entryLength);
        }

        var writer = new ProtoWriter(_series.Append(entryBytes));
        writer.LengthPrefix(5, entryLength);
        WriteEntry(ref writer, body, labels.Length, samples, histograms, exemplars, metadata);
        PendingEntries++;
    }

    /// <summary>Interns every string of the entry and returns the entry's encoded length.</summary>
    private int Symbolise(
        DecodedWriteRequest request,
        ReadOnlySpan<byte> body,
        ReadOnlySpan<LabelEntry> labels,
        ReadOnlySpan<ExemplarEntry> exemplars,
        MetadataEntry? metadata,
        ReadOnlySpan<SampleEntry> samples,
        ReadOnlySpan<HistogramEntry> histograms)
    {
        EnsureCapacity(ref _labelRefs, labels.Length * 2);
        var length = 0;
        var packed = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var name = _symbols.Intern(body, labels[i].Name);
            var value = _symbols.Intern(body, labels[i].Value);
            _labelRefs[2 * i] = name;
            _labelRefs[(2 * i) + 1] = value;
            packed += ProtoSize.Varint(name) + ProtoSize.Varint(value);
        }

        if (packed > 0)
        {
            length += ProtoSize.LengthDelimited(packed);
        }

        foreach (ref readonly var sample in samples)
        {
            length += ProtoSize.LengthDelimited(SampleLength(sample));
        }

        foreach (ref readonly var histogram in histograms)
        {
            length += ProtoSize.LengthDelimited(histogram.Message.Length);
        }

        var exemplarRefCount = 0;
        foreach (ref readonly var exemplar in exemplars)
        {
            exemplarRefCount += exemplar.LabelCount * 2;
        }

        EnsureCapacity(ref _exemplarRefs, exemplarRefCount);
        var r = 0;
        foreach (ref readonly var exemplar in exemplars)
        {
            var exemplarPacked = 0;
            foreach (ref readonly var label in request.LabelsOf(exemplar))
            {
                var name = _symbols.Intern(body, label.Name);
                var value = _symbols.Intern(body, label.Value);
                _exemplarRefs[r++] = name;
                _exemplarRefs[r++] = value;
                exemplarPacked += ProtoSize.Varint(name) + ProtoSize.Varint(value);
            }

            length += ProtoSize.LengthDelimited(ExemplarLength(exemplar, exemplarPacked));
        }

        if (metadata is { } m)
        {
            var help = _symbols.Intern(body, m.Help);
            var unit = _symbols.Intern(body, m.Unit);
            _metadataHelpRef = help;
            _metadataUnitRef = unit;
            length += ProtoSize.LengthDelimited(MetadataLength(m.Type, help, unit));
        }

        return length;
    }

    private void WriteEntry(
        ref ProtoWriter writer,
        ReadOnlySpan<byte> body,
        int labelCount,
        ReadOnlySpan<SampleEntry> samples,
        ReadOnlySpan<HistogramEntry> histograms,
        ReadOnlySpan<ExemplarEntry> exemplars,
        MetadataEntry? metadata)
    {
        var refs = _labelRefs.AsSpan(0, labelCount * 2);
        if (refs.Length > 0)
        {
            var packed = 0;
            foreach (var reference in refs)
            {
                packed += ProtoSize.Varint(reference);
            }

            writer.LengthPrefix(1, packed);
            foreach (var reference in refs)
            {
                writer.Varint(reference);
            }
        }

        foreach (ref readonly var sample in samples)
        {
            writer.LengthPrefix(2, SampleLength(sample));
            writer.Fixed64Field(1, sample.ValueBits);
            if (sample.Timestamp != 0)
            {
                writer.VarintField(2, (ulong)sample.Timestamp);
            }

            if (sample.StartTimestamp != 0)
            {
                writer.VarintField(3, (ulong)sample.StartTimestamp);
            }
        }

        foreach (ref readonly var histogram in histograms)
        {
            writer.BytesField(3, body.Slice(histogram.Message.Offset, histogram.Message.Length));
        }

        var r = 0;
        foreach (ref readonly var exemplar in exemplars)
        {
            var exemplarRefs = _exemplarRefs.AsSpan(r, exemplar.LabelCount * 2);
            r += exemplarRefs.Length;
            var packed = 0;
            foreach (var reference in exemplarRefs)
            {
                packed += ProtoSize.Varint(reference);
            }

            writer.LengthPrefix(4, ExemplarLength(exemplar, packed));
            if (packed > 0)
            {
                writer.LengthPrefix(1, packed);
                foreach (var reference in exemplarRefs)
                {
                    writer.Varint(reference);
                }
            }

            writer.Fixed64Field(2, exemplar.ValueBits);
            if (exemplar.Timestamp != 0)
            {
                writer.VarintField(3, (ulong)exemplar.Timestamp);
            }
        }

        if (metadata is { } m)
        {
            writer.LengthPrefix(5, MetadataLength(m.Type, _metadataHelpRef, _metadataUnitRef));
            if (m.Type != 0)
            {
                writer.VarintField(1, (ulong)m.Type);
            }

            if (_metadataHelpRef != 0)
            {
                writer.VarintField(3, _metadataHelpRef);
            }

            if (_metadataUnitRef != 0)
            {
                writer.VarintField(4, _metadataUnitRef);
            }
        }
    }

    // The value is always written, even 0.0: proto3 would drop a zero, and
    // writing it keeps -0.0 and every NaN payload exactly as sent.
    private static int SampleLength(in SampleEntry sample) =>
        9
        + (sample.Timestamp != 0 ? 1 + ProtoSize.Varint((ulong)sample.Timestamp) : 0)
        + (sample.StartTimestamp != 0 ? 1 + ProtoSize.Varint((ulong)sample.StartTimestamp) : 0);

    private static int ExemplarLength(in ExemplarEntry exemplar, int packedRefs) =>
        (packedRefs > 0 ? ProtoSize.LengthDelimited(packedRefs) : 0)
        + 9
        + (exemplar.Timestamp != 0 ? 1 + ProtoSize.Varint((ulong)exemplar.Timestamp) : 0);

    private static int MetadataLength(int type, uint help, uint unit) =>
        (type != 0 ? 1 + ProtoSize.Varint((ulong)type) : 0)
        + (help != 0 ? 1 + ProtoSize.Varint(help) : 0)
        + (unit != 0 ? 1 + ProtoSize.Varint(unit) : 0);

    private int EnvelopeHeaderSize =>
        2 // format_version
        + ProtoSize.LengthDelimited(_tenant.Length)
        + 1 + ProtoSize.Varint((ulong)_receivedAtMs)
        + 1 + ProtoSize.Varint((ulong)_shard);

    private int EventSize(int symbolBytes, int seriesBytes) =>
        EnvelopeHeaderSize + ProtoSize.LengthDelimited(symbolBytes + seriesBytes);

    private void EmitEvent(int symbolCount, int symbolBytes)
    {
        var body = _request!.Body.Span;
        var seriesBytes = _series.WrittenSpan;
        var requestLength = symbolBytes + seriesBytes.Length;
        var size = EnvelopeHeaderSize + ProtoSize.LengthDelimited(requestLength);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var writer = new ProtoWriter(buffer.AsSpan(0, size));
        writer.VarintField(1, IngestEventFormat.CurrentVersion);
        writer.BytesField(2, _tenant);
        writer.VarintField(3, (ulong)_receivedAtMs);
        writer.VarintField(4, (ulong)_shard);
        writer.LengthPrefix(5, requestLength);
        var symbols = _symbols.Symbols[..symbolCount];
        foreach (var symbol in symbols)
        {
            writer.BytesField(4, SymbolTable.Resolve(body, symbol));
        }

        writer.Bytes(seriesBytes);
        _output!.Add(new PooledEvent(buffer, size));
    }

    private static void EnsureCapacity(ref uint[] array, int size)
    {
        if (array.Length < size)
        {
            array = new uint[Math.Max(size, array.Length * 2)];
        }
    }

    public void Dispose() => _series.Dispose();
}
