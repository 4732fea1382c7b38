namespace PromLake.Protocol.Snappy;

/// <summary>
/// Snappy block format, as remote write uses it (never the framed format). The
/// decompressed length is a varint at the start of the block; it is read and
/// checked against the caller's cap before anything is allocated, so a small
/// body that claims a huge size (a snappy bomb) costs nothing.
/// </summary>
public static class SnappyBlock
{
    /// <summary>The length the block's header declares, or an error for a malformed header.</summary>
    public static bool TryGetDecompressedLength(ReadOnlySpan<byte> block, out int length, out string? error)
    {
        ulong value = 0;
        for (int i = 0, shift = 0; i < block.Length && i < 5; i++, shift += 7)
        {
            var b = block[i];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (value > int.MaxValue)
                {
                    break;
                }

                length = (int)value;
                error = null;
                return true;
            }
        }

        length = 0;
        error = block.IsEmpty ? "empty snappy block" : "malformed snappy block header";
        return false;
    }

    /// <summary>
    /// Decompresses into <paramref name="destination"/>, which must be exactly the
    /// declared length; returns false with a reason when the block is corrupt.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> block, Span<byte> destination, out string? error)
    {
        try
        {
            var written = Snappier.Snappy.Decompress(block, destination);
            if (written != destination.Length)
            {
                error = $"snappy block decompressed to {written} bytes but its header declares {destination.Length}";
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            error = "corrupt snappy block: " + e.Message;
            return false;
        }
    }
}
