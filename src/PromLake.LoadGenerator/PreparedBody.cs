using Snappier;

namespace PromLake.LoadGenerator;

/// <summary>
/// One request body, encoded and snappy-compressed before the run, that is re-stamped in place for each send.
/// </summary>
/// <remarks>
/// <para>Why re-stamp: a receiver must see every series' timestamps strictly increase over the whole run (Prometheus
/// answers an out-of-order sample with 400), so a body can never be sent twice as it is. Pre-generating a body per send
/// would cost memory and set-up time in proportion to the run's length, and encoding during the run would make the
/// generator compete with the receiver for the CPU. Instead each body is compressed once and then only the bytes that
/// change are rewritten, directly in the compressed output: every sample's timestamp, and the value of every series
/// that is not constant. Per send that is a few writes per sample and no encoding or compression.</para>
/// <para>Why that is possible: timestamps near now are 6-byte varints whatever their value, a double is always 8 bytes,
/// so the protobuf layout never moves; and <see cref="PatchableSnappyCompressor"/> keeps those bytes in literals, or in
/// copies only from bytes that are certain to be rewritten identically, so overwriting the literals rewrites the
/// decompressed body. Preparation proves this per body by decompressing the re-stamped bytes and comparing them with
/// a fresh encoding of the same round.</para>
/// <para>A body is used by one sender at a time (see <see cref="RequestBodyPool"/>) and use u carries rounds
/// u*k .. u*k+k-1, so each series' timestamps only ever increase.</para>
/// </remarks>
internal sealed class PreparedBody
{
    private readonly IReadOnlyList<SeriesDefinition> _batch;
    private readonly RequestFactory _factory;
    private readonly byte[] _buffer;
    private readonly DynamicValue[] _values;
    private readonly int[] _valueByteOffsets;
    private readonly TimestampByte[] _timestampBytes;
    private long _nextUse;

    private PreparedBody(
        int id,
        IReadOnlyList<SeriesDefinition> batch,
        RequestFactory factory,
        PatchableSnappyCompressor.Result compressed,
        int uncompressedLength,
        DynamicValue[] values,
        int[] valueByteOffsets,
        TimestampByte[] timestampBytes)
    {
        Id = id;
        _batch = batch;
        _factory = factory;
        _buffer = compressed.Buffer;
        Length = compressed.Length;
        UncompressedLength = uncompressedLength;
        _values = values;
        _valueByteOffsets = valueByteOffsets;
        _timestampBytes = timestampBytes;
    }

    public int Id { get; }
    public int SeriesCount => _batch.Count;
    public int SampleCount => _batch.Count * _factory.SamplesPerSeries;

    /// <summary>Compressed size, as sent.</summary>
    public int Length { get; }

    public int UncompressedLength { get; }

    /// <summary>What Snappier makes of the same bytes: shows what keeping bytes re-writable costs in size.</summary>
    public int ReferenceCompressedLength { get; private init; }

    /// <summary>Bytes rewritten per send.</summary>
    public int PatchedBytesPerUse => _valueByteOffsets.Length + _timestampBytes.Length;

    /// <summary>How many times the body has been stamped for sending.</summary>
    public long Uses => _nextUse;

    public IReadOnlyList<SeriesDefinition> Batch => _batch;

    /// <summary>The compressed bytes as they stand (after the last <see cref="StampNextUse"/> or <see cref="StampUse"/>).</summary>
    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

    public static PreparedBody Prepare(int id, IReadOnlyList<SeriesDefinition> batch, RequestFactory factory)
    {
        var k = factory.SamplesPerSeries;
        var template = factory.Encode(batch, use: 0);
        var sites = WireSampleLocator.Locate(template, factory.SampleFieldPath);
        if (sites.Count != batch.Count * k)
        {
            throw new InvalidOperationException($"body {id}: found {sites.Count} samples, expected {batch.Count * k}");
        }

        var patchClass = new long[template.Length];
        var values = new List<DynamicValue>();
        var valueOffsets = new List<int>();
        var templateTimestamps = new long[sites.Count];
        for (var i = 0; i < sites.Count; i++)
        {
            var site = sites[i];
            var series = batch[i / k];
            var sampleIndex = i % k;
            if (site.TimestampLength != 6)
            {
                throw new InvalidOperationException($"body {id}: a timestamp is {site.TimestampLength} bytes on the wire, not 6");
            }

            templateTimestamps[i] = factory.TimestampOf(series, 0, sampleIndex);
            for (var j = 0; j < 6; j++)
            {
                patchClass[site.TimestampOffset + j] = TimestampByteClass(templateTimestamps[i], j);
            }

            if (series.Value.IsConstant)
            {
                continue;
            }

            if (site.ValueOffset < 0)
            {
                throw new InvalidOperationException($"body {id}: {series.MetricName} changes value but was encoded as 0");
            }

            // Every value byte gets a class of its own, so no copy ever covers it and all 8 bytes stay in literals.
            for (var b = 0; b < 8; b++)
            {
                patchClass[site.ValueOffset + b] = -(site.ValueOffset + b + 1L);
            }

            values.Add(new DynamicValue(series, sampleIndex));
            valueOffsets.Add(site.ValueOffset);
        }

        var compressed = PatchableSnappyCompressor.Compress(template, patchClass);

        var valueByteOffsets = new int[values.Count * 8];
        for (var v = 0; v < values.Count; v++)
        {
            for (var b = 0; b < 8; b++)
            {
                var offset = compressed.LiteralOffsets[valueOffsets[v] + b];
                valueByteOffsets[(v * 8) + b] = offset >= 0
                    ? offset
                    : throw new InvalidOperationException($"body {id}: a value byte was compressed into a copy");
            }
        }

        // Timestamp bytes that a copy reproduces need no rewrite: the copy's source is rewritten to the same byte.
        var timestampBytes = new List<TimestampByte>();
        for (var i = 0; i < sites.Count; i++)
        {
            for (var j = 0; j < 6; j++)
            {
                var offset = compressed.LiteralOffsets[sites[i].TimestampOffset + j];
                if (offset >= 0)
                {
                    timestampBytes.Add(new TimestampByte(offset, templateTimestamps[i], (byte)(7 * j), (byte)(j < 5 ? 0x80 : 0)));
                }
            }
        }

        var body = new PreparedBody(id, batch, factory, compressed, template.Length, [.. values], valueByteOffsets, [.. timestampBytes])
        {
            ReferenceCompressedLength = Snappy.CompressToArray(template).Length,
        };

        // Prove the compressor and the re-stamping on this very body, for the template and for a later round.
        body.Verify(0, template);
        body.Verify(1, factory.Encode(batch, 1));
        return body;
    }

    /// <summary>Rewrites the body for its next use and returns the bytes to send.</summary>
    public ReadOnlyMemory<byte> StampNextUse()
    {
        StampUse(_nextUse++);
        return _buffer.AsMemory(0, Length);
    }

    /// <summary>Rewrites the timestamps and changing values for use <paramref name="use"/>.</summary>
    public void StampUse(long use)
    {
        var buffer = _buffer;
        var delta = use * _factory.UseStrideMs;
        foreach (var t in _timestampBytes)
        {
            buffer[t.Offset] = (byte)((((t.TemplateTimestamp + delta) >> t.Shift) & 0x7F) | t.ContinuationBit);
        }

        for (var v = 0; v < _values.Length; v++)
        {
            var bits = BitConverter.DoubleToUInt64Bits(_factory.ValueOf(_values[v].Series, use, _values[v].SampleIndex));
            var offsets = _valueByteOffsets.AsSpan(v * 8, 8);
            for (var b = 0; b < 8; b++)
            {
                buffer[offsets[b]] = (byte)(bits >> (8 * b));
            }
        }
    }

    /// <summary>Stamps <paramref name="use"/> and checks that the compressed bytes decode to <paramref name="expected"/>.</summary>
    public void Verify(long use, ReadOnlySpan<byte> expected)
    {
        StampUse(use);
        var decoded = Snappy.DecompressToArray(Bytes);
        if (!decoded.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException($"body {Id}: re-stamped bytes for use {use} do not decode to a fresh encoding of that round");
        }
    }

    /// <summary>
    /// The class of byte <paramref name="byteIndex"/> of a timestamp varint. Byte j holds bits 7j..7j+6, and all timestamps
    /// in a body move by the same delta between uses, so byte j of two timestamps stays equal for every use exactly when
    /// they agree modulo 2^(7(j+1)): that residue, with j, is the class. Always positive, unlike value classes.
    /// </summary>
    private static long TimestampByteClass(long timestamp, int byteIndex)
    {
        var residue = timestamp & ((1L << (7 * (byteIndex + 1))) - 1);
        return (residue << 3) | (long)(byteIndex + 1);
    }

    private readonly record struct DynamicValue(SeriesDefinition Series, int SampleIndex);

    private readonly record struct TimestampByte(int Offset, long TemplateTimestamp, byte Shift, byte ContinuationBit);
}
