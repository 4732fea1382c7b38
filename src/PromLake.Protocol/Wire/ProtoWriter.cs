using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PromLake.Protocol.Wire;

/// <summary>
/// Writes protobuf fields into a span whose size the caller computed with
/// <see cref="ProtoSize"/>. Field numbers below 16 only (one-byte tags), which is
/// all the remote-write schemas and the log event use.
/// </summary>
public ref struct ProtoWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public ProtoWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Tag(int field, WireType wireType) => _buffer[_position++] = (byte)((field << 3) | (int)wireType);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    public void Fixed64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.Slice(_position, 8), value);
        _position += 8;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer.Slice(_position));
        _position += value.Length;
    }

    public void VarintField(int field, ulong value)
    {
        Tag(field, WireType.Varint);
        Varint(value);
    }

    public void Fixed64Field(int field, ulong value)
    {
        Tag(field, WireType.Fixed64);
        Fixed64(value);
    }

    public void BytesField(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)value.Length);
        Bytes(value);
    }

    /// <summary>Starts a length-delimited field whose payload length is already known.</summary>
    public void LengthPrefix(int field, int payloadLength)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)payloadLength);
    }
}
