using System.Buffers.Binary;
using System.Numerics;

namespace PromLake.Query.RemoteRead;

/// <summary>
/// The framing of a streamed remote-read response (storage/remote/chunked.go): each message is preceded by
/// its length as an unsigned varint and the CRC-32 (Castagnoli) of its bytes as a big-endian uint32.
/// </summary>
internal static class ChunkedFrame
{
    /// <summary>Length prefix, checksum and message in one buffer.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> message)
    {
        Span<byte> header = stackalloc byte[10 + 4];
        var n = 0;
        var length = (ulong)message.Length;
        while (length >= 0x80)
        {
            header[n++] = (byte)(length | 0x80);
            length >>= 7;
        }

        header[n++] = (byte)length;
        BinaryPrimitives.WriteUInt32BigEndian(header[n..], Crc32C(message));
        n += 4;

        var frame = new byte[n + message.Length];
        header[..n].CopyTo(frame);
        message.CopyTo(frame.AsSpan(n));
        return frame;
    }

    /// <summary>CRC-32C (reflected polynomial 0x82F63B78, initial and final value inverted), hardware-assisted where available.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
