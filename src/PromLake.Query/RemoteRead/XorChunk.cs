using System.Buffers.Binary;
using System.Numerics;

namespace PromLake.Query.RemoteRead;

/// <summary>
/// A float chunk in Prometheus's XOR encoding (tsdb/chunkenc/xor.go, after Facebook's Gorilla paper), built
/// from the format alone. Layout: a 2-byte big-endian sample count, then a bit stream, most significant bit first:
/// <code>
/// sample 0   t as a signed varint, v as 64 raw bits
/// sample 1   t - t0 as an unsigned varint, v XOR-encoded
/// sample n   dod = (t - t[n-1]) - (t[n-1] - t[n-2]):  0 → '0';  fits 14 bits → '10' + 14;  17 → '110' + 17;
///            20 → '1110' + 20;  otherwise '1111' + 64 bits; then v XOR-encoded
/// v XOR      x = bits(v) ^ bits(previous v):  0 → '0';  else '1', then, if x's leading and trailing zeros are at
///            least the previous ones, '0' + the previous window of x; otherwise '1' + leading zeros (5 bits, at
///            most 31) + significant bit count (6 bits, 64 written as 0) + those bits
/// </code>
/// Values are kept bit for bit, staleness markers included.
/// </summary>
internal sealed class XorChunk
{
    /// <summary>Prometheus cuts head chunks at 120 samples; remote-read clients expect chunks of that size.</summary>
    public const int MaxSamples = 120;

    private readonly BitWriter _bits = new(headerBytes: 2);
    private long _t;
    private long _tDelta;
    private ulong _v;
    private byte _leading = 0xff;
    private byte _trailing;

    public int Count { get; private set; }

    public long MinTime { get; private set; }

    public long MaxTime => _t;

    public bool IsFull => Count >= MaxSamples;

    public void Append(long t, double v)
    {
        var bits = BitConverter.DoubleToUInt64Bits(v);
        Span<byte> varint = stackalloc byte[10];
        switch (Count)
        {
            case 0:
                MinTime = t;
                _bits.WriteBytes(varint[..WriteVarint(varint, t)]);
                _bits.WriteBits(bits, 64);
                break;
            case 1:
                _tDelta = t - _t;
                _bits.WriteBytes(varint[..WriteUvarint(varint, (ulong)_tDelta)]);
                WriteValue(bits);
                break;
            default:
                var delta = t - _t;
                var dod = delta - _tDelta;
                if (dod == 0)
                {
                    _bits.WriteBit(false);
                }
                else if (FitsIn(dod, 14))
                {
                    _bits.WriteBits(0b10, 2);
                    _bits.WriteBits((ulong)dod, 14);
                }
                else if (FitsIn(dod, 17))
                {
                    _bits.WriteBits(0b110, 3);
                    _bits.WriteBits((ulong)dod, 17);
                }
                else if (FitsIn(dod, 20))
                {
                    _bits.WriteBits(0b1110, 4);
                    _bits.WriteBits((ulong)dod, 20);
                }
                else
                {
                    _bits.WriteBits(0b1111, 4);
                    _bits.WriteBits((ulong)dod, 64);
                }

                _tDelta = delta;
                WriteValue(bits);
                break;
        }

        _t = t;
        _v = bits;
        Count++;
    }

    /// <summary>The chunk's bytes: the sample count, then the stream.</summary>
    public byte[] ToArray()
    {
        var bytes = _bits.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)Count);
        return bytes;
    }

    private void WriteValue(ulong bits)
    {
        var x = bits ^ _v;
        if (x == 0)
        {
            _bits.WriteBit(false);
            return;
        }

        _bits.WriteBit(true);
        var leading = (byte)Math.Min(BitOperations.LeadingZeroCount(x), 31);
        var trailing = (byte)BitOperations.TrailingZeroCount(x);
        if (_leading != 0xff && leading >= _leading && trailing >= _trailing)
        {
            _bits.WriteBit(false);
            _bits.WriteBits(x >> _trailing, 64 - _leading - _trailing);
            return;
        }

        _leading = leading;
        _trailing = trailing;
        _bits.WriteBit(true);
        _bits.WriteBits(leading, 5);
        var significant = 64 - leading - trailing;
        _bits.WriteBits((ulong)(significant == 64 ? 0 : significant), 6);
        _bits.WriteBits(x >> trailing, significant);
    }

    /// <summary>bitRange: whether x fits the n-bit field (the range is -(2^(n-1) - 1) … 2^(n-1)).</summary>
    private static bool FitsIn(long x, int n) => -((1L << (n - 1)) - 1) <= x && x <= 1L << (n - 1);

    /// <summary>Go's binary.PutVarint: zig-zag, then base-128.</summary>
    private static int WriteVarint(Span<byte> dest, long v) => WriteUvarint(dest, (ulong)(v << 1) ^ (ulong)(v >> 63));

    private static int WriteUvarint(Span<byte> dest, ulong v)
    {
        var n = 0;
        while (v >= 0x80)
        {
            dest[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        dest[n++] = (byte)v;
        return n;
    }
}

/// <summary>An append-only bit stream, most significant bit first, after some zeroed header bytes.</summary>
internal sealed class BitWriter(int headerBytes)
{
    private byte[] _buffer = new byte[Math.Max(headerBytes, 1) + 64];
    private int _length = headerBytes;

    /// <summary>Free bits in the last byte; 0 means the next bit starts a new byte.</summary>
    private int _free;

    public void WriteBit(bool bit)
    {
        if (_free == 0)
        {
            Grow(1);
            _buffer[_length++] = 0;
            _free = 8;
        }

        if (bit)
        {
            _buffer[_length - 1] |= (byte)(1 << (_free - 1));
        }

        _free--;
    }

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/>, highest first.</summary>
    public void WriteBits(ulong value, int count)
    {
        if (count == 0)
        {
            return;
        }

        value <<= 64 - count;
        while (count >= 8)
        {
            WriteByte((byte)(value >> 56));
            value <<= 8;
            count -= 8;
        }

        while (count > 0)
        {
            WriteBit((value >> 63) == 1);
            value <<= 1;
            count--;
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            WriteByte(b);
        }
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private void WriteByte(byte b)
    {
        Grow(1);
        if (_free == 0)
        {
            _buffer[_length++] = b;
            return;
        }

        _buffer[_length - 1] |= (byte)(b >> (8 - _free));
        _buffer[_length++] = (byte)(b << _free);
    }

    private void Grow(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
    }
}
