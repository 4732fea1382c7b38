using System.Buffers.Binary;
using System.Numerics;

namespace PromLake.LoadGenerator;

/// <summary>
/// Snappy block compression (the format Snappier and Prometheus decode) that keeps chosen bytes re-writable
/// in the compressed output.
/// </summary>
/// <remarks>
/// <para>Each input byte has a patch class. A byte of class 0 never changes. Any other byte will be rewritten later,
/// directly in the compressed output, so it may only be reproduced by a back-reference (a copy) from a byte that is
/// certain to be rewritten to the same value: one with the same class. Bytes no copy may cover end up in literals,
/// whose output offsets are reported so they can be overwritten.</para>
/// <para>Apart from that rule this is snappy's own algorithm (64 KiB fragments, a 4-byte hash table, the
/// skip heuristic, greedy matches), so the output is about as large as real snappy's; the self-check prints both.</para>
/// </remarks>
internal static class PatchableSnappyCompressor
{
    private const int FragmentSize = 1 << 16;
    private const int InputMarginBytes = 15;
    private const int MinNonLiteralBlockSize = 1 + 1 + InputMarginBytes;
    private const int MaxHashTableSize = 1 << 14;

    /// <summary>The compressed block, and for each input byte the output offset it was written to as a literal, or -1
    /// where a copy reproduces it.</summary>
    public sealed record Result(byte[] Buffer, int Length, int[] LiteralOffsets);

    public static Result Compress(ReadOnlySpan<byte> input, ReadOnlySpan<long> patchClass)
    {
        if (patchClass.Length != input.Length)
        {
            throw new ArgumentException("every input byte needs a patch class", nameof(patchClass));
        }

        var output = new byte[32 + input.Length + (input.Length / 6)];
        var literalOffsets = new int[input.Length];
        Array.Fill(literalOffsets, -1);
        var table = new ushort[MaxHashTableSize];

        var op = 0;
        for (var remaining = (uint)input.Length; ; remaining >>= 7)
        {
            if (remaining < 0x80)
            {
                output[op++] = (byte)remaining;
                break;
            }

            output[op++] = (byte)(remaining | 0x80);
        }

        for (var fragmentStart = 0; fragmentStart < input.Length; fragmentStart += FragmentSize)
        {
            var fragmentLength = Math.Min(FragmentSize, input.Length - fragmentStart);
            op = CompressFragment(input, patchClass, fragmentStart, fragmentLength, output, op, literalOffsets, table);
        }

        return new Result(output, op, literalOffsets);
    }

    private static int CompressFragment(
        ReadOnlySpan<byte> input,
        ReadOnlySpan<long> patchClass,
        int baseIp,
        int length,
        byte[] output,
        int op,
        int[] literalOffsets,
        ushort[] table)
    {
        var ipEnd = baseIp + length;
        var nextEmit = baseIp;
        if (length >= MinNonLiteralBlockSize)
        {
            var tableSize = 256;
            while (tableSize < MaxHashTableSize && tableSize < length)
            {
                tableSize <<= 1;
            }

            var shift = 32 - BitOperations.Log2((uint)tableSize);
            Array.Clear(table, 0, tableSize);

            // Matches must start early enough that a 4-byte load never runs off the end.
            var ipLimit = ipEnd - InputMarginBytes;
            var ip = baseIp + 1;
            var nextHash = Hash(input, ip, shift);
            while (true)
            {
                // Look for a 4-byte match, probing further apart the longer nothing matches (snappy's skip heuristic).
                var skip = 32;
                var nextIp = ip;
                int candidate;
                do
                {
                    ip = nextIp;
                    var hash = nextHash;
                    var bytesBetweenHashLookups = skip >> 5;
                    skip += bytesBetweenHashLookups;
                    nextIp = ip + bytesBetweenHashLookups;
                    if (nextIp > ipLimit)
                    {
                        goto EmitRemainder;
                    }

                    nextHash = Hash(input, nextIp, shift);
                    candidate = baseIp + table[hash];
                    table[hash] = (ushort)(ip - baseIp);
                }
                while (!MatchesAt(input, patchClass, candidate, ip));

                op = EmitLiteral(input, nextEmit, ip - nextEmit, output, op, literalOffsets);

                // Emit copies for as long as the bytes right after one copy start another match.
                do
                {
                    var matched = 4 + ExtendMatch(input, patchClass, candidate + 4, ip + 4, ipEnd);
                    op = EmitCopy(output, op, ip - candidate, matched);
                    ip += matched;
                    nextEmit = ip;
                    if (ip >= ipLimit)
                    {
                        goto EmitRemainder;
                    }

                    table[Hash(input, ip - 1, shift)] = (ushort)(ip - 1 - baseIp);
                    var currentHash = Hash(input, ip, shift);
                    candidate = baseIp + table[currentHash];
                    table[currentHash] = (ushort)(ip - baseIp);
                }
                while (MatchesAt(input, patchClass, candidate, ip));

                ip++;
                nextHash = Hash(input, ip, shift);
            }
        }

    EmitRemainder:
        if (nextEmit < ipEnd)
        {
            op = EmitLiteral(input, nextEmit, ipEnd - nextEmit, output, op, literalOffsets);
        }

        return op;
    }

    private static uint Hash(ReadOnlySpan<byte> input, int position, int shift) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(input[position..]) * 0x1E35A7BDu) >> shift;

    private static bool MatchesAt(ReadOnlySpan<byte> input, ReadOnlySpan<long> patchClass, int candidate, int ip) =>
        BinaryPrimitives.ReadUInt32LittleEndian(input[candidate..]) == BinaryPrimitives.ReadUInt32LittleEndian(input[ip..])
        && patchClass.Slice(candidate, 4).SequenceEqual(patchClass.Slice(ip, 4));

    private static int ExtendMatch(ReadOnlySpan<byte> input, ReadOnlySpan<long> patchClass, int source, int target, int limit)
    {
        var matched = 0;
        while (target + matched < limit
            && input[source + matched] == input[target + matched]
            && patchClass[source + matched] == patchClass[target + matched])
        {
            matched++;
        }

        return matched;
    }

    private static int EmitLiteral(ReadOnlySpan<byte> input, int start, int length, byte[] output, int op, int[] literalOffsets)
    {
        if (length == 0)
        {
            return op;
        }

        var n = (uint)(length - 1);
        if (n < 60)
        {
            output[op++] = (byte)(n << 2);
        }
        else
        {
            var count = n < (1u << 8) ? 1 : n < (1u << 16) ? 2 : n < (1u << 24) ? 3 : 4;
            output[op++] = (byte)((59 + count) << 2);
            for (var i = 0; i < count; i++)
            {
                output[op++] = (byte)(n >> (8 * i));
            }
        }

        for (var i = 0; i < length; i++)
        {
            literalOffsets[start + i] = op + i;
        }

        input.Slice(start, length).CopyTo(output.AsSpan(op));
        return op + length;
    }

    private static int EmitCopy(byte[] output, int op, int offset, int length)
    {
        while (length >= 68)
        {
            op = EmitCopyAtMost64(output, op, offset, 64);
            length -= 64;
        }

        if (length > 64)
        {
            op = EmitCopyAtMost64(output, op, offset, 60);
            length -= 60;
        }

        return EmitCopyAtMost64(output, op, offset, length);
    }

    private static int EmitCopyAtMost64(byte[] output, int op, int offset, int length)
    {
        if (length < 12 && offset < 2048)
        {
            output[op++] = (byte)(1 | ((length - 4) << 2) | ((offset >> 3) & 0xE0));
            output[op++] = (byte)offset;
        }
        else
        {
            output[op++] = (byte)(2 | ((length - 1) << 2));
            output[op++] = (byte)offset;
            output[op++] = (byte)(offset >> 8);
        }

        return op;
    }
}
