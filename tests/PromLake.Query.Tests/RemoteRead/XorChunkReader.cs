using System.Buffers.Binary;

namespace PromLake.Query.Tests.RemoteRead;

/// <summary>
/// A reader of Prometheus XOR chunks written for the tests from the format description alone (no code shared
/// with the encoder): 2-byte big-endian count, then t0 as a zig-zag varint and v0 as 64 bits, t1 - t0 as a
/// varint and an XOR value, then delta-of-delta timestamps ('0', '10'+14, '110'+17, '1110'+20, '1111'+64
/// bits, two's complement) and XOR values.
/// </summary>
internal static class XorChunkReader
{
    public static List<(long T, ulong Bits)> Read(byte[] chunk)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(chunk);
        var r = new Bits(chunk, 2);
        var result = new List<(long, ulong)>(count);
        long t = 0, delta = 0;
        ulong v = 0;
        int leading = 0, trailing = 0;
        for (var i = 0; i < count; i++)
        {
            if (i == 0)
            {
                var zz = r.Uvarint();
                t = (long)(zz >> 1) ^ -(long)(zz & 1);
                v = r.Read(64);
            }
            else
            {
                if (i == 1)
                {
                    delta = (long)r.Uvarint();
                }
                else
                {
                    long dod;
                    if (r.Read(1) == 0)
                    {
                        dod = 0;
                    }
                    else if (r.Read(1) == 0)
                    {
                        dod = Signed(r.Read(14), 14);
                    }
                    else if (r.Read(1) == 0)
                    {
                        dod = Signed(r.Read(17), 17);
                    }
                    else if (r.Read(1) == 0)
                    {
                        dod = Signed(r.Read(20), 20);
                    }
                    else
                    {
                        dod = (long)r.Read(64);
                    }

                    delta += dod;
                }

                t += delta;
                if (r.Read(1) == 1)
                {
                    if (r.Read(1) == 1)
                    {
                        leading = (int)r.Read(5);
                        var significant = (int)r.Read(6);
                        if (significant == 0)
                        {
                            significant = 64;
                        }

                        trailing = 64 - leading - significant;
                    }

                    var width = 64 - leading - trailing;
                    v ^= r.Read(width) << trailing;
                }
            }

            result.Add((t, v));
        }

        return result;
    }

    /// <summary>Prometheus reads an n-bit field as positive up to 2^(n-1) inclusive.</summary>
    private static long Signed(ulong bits, int n) => bits > 1UL << (n - 1) ? (long)bits - (1L << n) : (long)bits;

    private sealed class Bits(byte[] data, int start)
    {
        private long _bit = start * 8L;

        public ulong Read(int n)
        {
            ulong value = 0;
            for (var i = 0; i < n; i++)
            {
                var b = data[(int)(_bit >> 3)];
                value = (value << 1) | (uint)((b >> (7 - (int)(_bit & 7))) & 1);
                _bit++;
            }

            return value;
        }

        public ulong Uvarint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = Read(8);
                value |= (b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
    }
}

/// <summary>CRC-32C computed bit by bit from the polynomial, to check the frames independently.</summary>
internal static class Crc32CReference
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
