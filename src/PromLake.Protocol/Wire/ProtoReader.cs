using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PromLake.Protocol.Wire;

/// <summary>
/// A forward-only protobuf reader over one message inside a larger buffer.
/// Positions are absolute offsets into the whole buffer, so a decoded string is
/// kept as (offset, length) instead of being copied. Every read checks bounds
/// and throws <see cref="WireFormatException"/> on malformed input.
/// </summary>
public ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private readonly int _end;

    public ProtoReader(ReadOnlySpan<byte> buffer)
        : this(buffer, 0, buffer.Length)
    {
    }

    public ProtoReader(ReadOnlySpan<byte> buffer, int start, int end)
    {
        _buffer = buffer;
        _position = start;
        _end = end;
    }

    public readonly int Position => _position;

    public readonly bool AtEnd => _position >= _end;

    /// <summary>Reads the next field tag; returns false at the end of the message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (_position >= _end)
        {
            field = 0;
            wireType = 0;
            return false;
        }

        ulong tag;
        var b = _buffer[_position];
        if (b < 0x80)
        {
            _position++;
            tag = b;
        }
        else
        {
            tag = ReadVarint();
        }

        if (tag > int.MaxValue)
        {
            throw new WireFormatException($"field tag {tag} at offset {_position} is out of range");
        }

        field = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        if (field == 0)
        {
            throw new WireFormatException($"field number 0 at offset {_position} is invalid");
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        if (_position < _end && _buffer[_position] < 0x80)
        {
            return _buffer[_position++];
        }

        return ReadVarintSlow();
    }

    private ulong ReadVarintSlow()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _end)
            {
                throw new WireFormatException($"truncated varint at offset {_position}");
            }

            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new WireFormatException($"varint longer than 10 bytes at offset {_position}");
    }

    public ulong ReadFixed64()
    {
        if (_end - _position < 8)
        {
            throw new WireFormatException($"truncated fixed64 at offset {_position}");
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public uint ReadFixed32()
    {
        if (_end - _position < 4)
        {
            throw new WireFormatException($"truncated fixed32 at offset {_position}");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Slice(_position, 4));
        _position += 4;
        return value;
    }

    /// <summary>Reads a length prefix and returns the absolute [start, end) of the payload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (int Start, int End) ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_end - _position))
        {
            throw new WireFormatException($"length {length} at offset {_position} runs past the end of the message");
        }

        var start = _position;
        _position += (int)length;
        return (start, _position);
    }

    /// <summary>A reader over a nested message that was just read with <see cref="ReadLengthDelimited"/>.</summary>
    public readonly ProtoReader Nested(int start, int end) => new(_buffer, start, end);

    /// <summary>Skips an unknown field, checking it is well-formed.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                ReadFixed64();
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                ReadFixed32();
                break;
            default:
                // Groups are deprecated and never appear in the remote-write schemas.
                throw new WireFormatException($"unsupported wire type {(int)wireType} at offset {_position}");
        }
    }

    /// <summary>Throws unless a known field arrived with the wire type its schema gives it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Expect(WireType actual, WireType expected, string message, int field)
    {
        if (actual != expected)
        {
            ThrowWrongWireType(actual, expected, message, field);
        }
    }

    private readonly void ThrowWrongWireType(WireType actual, WireType expected, string message, int field) =>
        throw new WireFormatException($"{message} field {field} has wire type {(int)actual}, expected {(int)expected} (offset {_position})");
}
