using System.Numerics;
using System.Runtime.CompilerServices;

namespace PromLake.Protocol.Wire;

/// <summary>Sizes of protobuf encodings, for writing length prefixes before content.</summary>
public static class ProtoSize
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Varint(ulong value) => ((64 - BitOperations.LeadingZeroCount(value | 1)) + 6) / 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Varint(long value) => Varint((ulong)value);

    /// <summary>A length-delimited field with a one-byte tag: tag, length prefix, payload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LengthDelimited(int payloadLength) => 1 + Varint((ulong)payloadLength) + payloadLength;
}
