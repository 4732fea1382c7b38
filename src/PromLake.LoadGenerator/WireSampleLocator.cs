namespace PromLake.LoadGenerator;

/// <summary>Where one sample's value and timestamp sit in an encoded request; ValueOffset is -1 when proto3 left a 0 out.</summary>
internal readonly record struct SampleSite(int ValueOffset, int TimestampOffset, int TimestampLength);

/// <summary>The field numbers that lead from a request to its samples; the same shape in RW 1.0 and RW 2.0.</summary>
internal readonly record struct SampleFieldPath(int TimeSeriesField, int SamplesField, int ValueField, int TimestampField);

/// <summary>
/// Walks the protobuf wire format of an encoded request and reports the byte offsets of every sample's value
/// (a fixed64) and timestamp (a varint), in encoding order, which is the order the factory added them.
/// </summary>
internal static class WireSampleLocator
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    public static List<SampleSite> Locate(ReadOnlySpan<byte> body, SampleFieldPath path)
    {
        var sites = new List<SampleSite>();
        var position = 0;
        while (position < body.Length)
        {
            if (!TryEnterField(body, ref position, path.TimeSeriesField, out var seriesEnd))
            {
                continue;
            }

            while (position < seriesEnd)
            {
                if (TryEnterField(body, ref position, path.SamplesField, out var sampleEnd))
                {
                    sites.Add(LocateInSample(body, position, sampleEnd, path));
                    position = sampleEnd;
                }
            }

            if (position != seriesEnd)
            {
                throw new InvalidDataException("a protobuf field ran past the end of its time series");
            }
        }

        return sites;
    }

    /// <summary>Reads one field; if it is the wanted length-delimited field, stops at its content and reports its end,
    /// otherwise skips it.</summary>
    private static bool TryEnterField(ReadOnlySpan<byte> body, ref int position, int field, out int end)
    {
        var (number, type) = ReadTag(body, ref position);
        if (number == field && type == LengthDelimited)
        {
            var length = checked((int)ReadVarint(body, ref position));
            end = position + length;
            return true;
        }

        Skip(body, ref position, type);
        end = position;
        return false;
    }

    private static SampleSite LocateInSample(ReadOnlySpan<byte> body, int start, int end, SampleFieldPath path)
    {
        int valueOffset = -1, timestampOffset = -1, timestampLength = 0;
        var position = start;
        while (position < end)
        {
            var (number, type) = ReadTag(body, ref position);
            if (number == path.ValueField && type == Fixed64)
            {
                valueOffset = position;
                position += 8;
            }
            else if (number == path.TimestampField && type == Varint)
            {
                timestampOffset = position;
                ReadVarint(body, ref position);
                timestampLength = position - timestampOffset;
            }
            else
            {
                Skip(body, ref position, type);
            }
        }

        if (timestampOffset < 0)
        {
            throw new InvalidDataException("a sample has no timestamp");
        }

        return new SampleSite(valueOffset, timestampOffset, timestampLength);
    }

    private static (int Number, int WireType) ReadTag(ReadOnlySpan<byte> body, ref int position)
    {
        var tag = ReadVarint(body, ref position);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> body, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = body[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint is longer than 10 bytes");
    }

    private static void Skip(ReadOnlySpan<byte> body, ref int position, int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint(body, ref position);
                break;
            case Fixed64:
                position += 8;
                break;
            case LengthDelimited:
                // Read the length first: `position += Read(ref position)` would add it to the position before the read.
                var length = checked((int)ReadVarint(body, ref position));
                position += length;
                break;
            case Fixed32:
                position += 4;
                break;
            default:
                throw new InvalidDataException($"unexpected protobuf wire type {wireType}");
        }
    }
}
