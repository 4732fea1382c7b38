using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace PromLake.Storage.Parquet;

/// <summary>
/// Decides, for one series, whether its short decimals are smaller as scaled integers
/// (<c>samples.scaled</c>, DELTA_BINARY_PACKED) or left as doubles (<c>samples.value</c>), by
/// compressing the series both ways. Neither wins everywhere: counters and nanosecond
/// durations are a fraction of their doubles as integers, but a gauge that jumps between a
/// few levels (CPU frequencies, free bytes on a quiet disk) or a clock is larger: every jump
/// widens a whole DELTA_BINARY_PACKED miniblock of 32 deltas, bit-packed so that zstd finds
/// no repeats, where zstd stores each repeated double as a short match (README.md).
/// </summary>
internal sealed class ScaleTrial : IDisposable
{
    /// <summary>
    /// Series with fewer samples are scaled without a trial: a level-0 flush holds a few
    /// samples per series, where the choice saves nothing and the trial would cost CPU.
    /// </summary>
    public const int MinSamples = 128;

    // A fast level, as ValueEncodingTrial's: the trial ranks two layouts, it does not size them.
    private const int TrialLevel = 3;
    private const int BlockValues = 128;
    private const int MiniblockValues = 32;

    // Made on first use: a level-0 flush never needs one.
    private ZstdSharp.Compressor? _compressor;
    private byte[] _input = [];
    private byte[] _output = [];

    /// <summary>
    /// Whether the values of <paramref name="values"/> that scale by <paramref name="divisor"/>
    /// take fewer bytes as integers than as doubles.
    /// </summary>
    public bool ScaledIsSmaller(ReadOnlySpan<double> values, double divisor)
    {
        if (values.Length < MinSamples)
        {
            return true;
        }

        var scaledBytes = Compress(PackScaled(values, divisor));
        var plainBytes = Compress(PackDoubles(values));
        return scaledBytes <= plainBytes;
    }

    public void Dispose() => _compressor?.Dispose();

    private int Compress(int length)
    {
        var bound = ZstdSharp.Compressor.GetCompressBound(length);
        if (_output.Length < bound)
        {
            _output = new byte[bound];
        }

        _compressor ??= new ZstdSharp.Compressor(TrialLevel);
        return _compressor.Wrap(_input.AsSpan(0, length), _output);
    }

    private void Reserve(int bytes)
    {
        if (_input.Length < bytes)
        {
            _input = new byte[Math.Max(bytes, _input.Length * 2)];
        }
    }

    private int PackDoubles(ReadOnlySpan<double> values)
    {
        Reserve(values.Length * 8);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_input.AsSpan(i * 8), values[i]);
        }

        return values.Length * 8;
    }

    /// <summary>
    /// The scaled integers as DELTA_BINARY_PACKED lays them out (blocks of 128 deltas from the
    /// block's smallest, four miniblocks each bit-packed at their widest); headers are
    /// approximated, which both sides of the comparison can afford.
    /// </summary>
    private int PackScaled(ReadOnlySpan<double> values, double divisor)
    {
        var scaled = ArrayPool<long>.Shared.Rent(values.Length);
        try
        {
            var count = 0;
            foreach (var value in values)
            {
                if (DecimalScale.TryScale(value, divisor, out var m))
                {
                    scaled[count++] = m;
                }
            }

            // A block at most: a 10-byte varint, 4 widths, 4 miniblocks of 32 values of 64 bits;
            // then the values that do not scale, which stay doubles either way.
            Reserve((((count / BlockValues) + 1) * (14 + (BlockValues * 8))) + ((values.Length - count) * 8));
            var length = 0;
            foreach (var value in values)
            {
                if (!DecimalScale.TryScale(value, divisor, out _))
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(_input.AsSpan(length), value);
                    length += 8;
                }
            }

            Span<long> deltas = stackalloc long[BlockValues];
            for (var blockStart = 1; blockStart < count; blockStart += BlockValues)
            {
                var n = Math.Min(BlockValues, count - blockStart);
                var min = long.MaxValue;
                for (var i = 0; i < n; i++)
                {
                    deltas[i] = scaled[blockStart + i] - scaled[blockStart + i - 1];
                    min = Math.Min(min, deltas[i]);
                }

                // The block's minimum delta as a zigzag varint, then one width byte per miniblock.
                var zigzag = (ulong)((min << 1) ^ (min >> 63));
                do
                {
                    _input[length++] = (byte)(zigzag | 0x80);
                    zigzag >>= 7;
                }
                while (zigzag != 0);

                for (var mini = 0; mini < n; mini += MiniblockValues)
                {
                    var end = Math.Min(n, mini + MiniblockValues);
                    ulong widest = 0;
                    for (var i = mini; i < end; i++)
                    {
                        widest |= (ulong)(deltas[i] - min);
                    }

                    var width = 64 - BitOperations.LeadingZeroCount(widest);
                    _input[length++] = (byte)width;
                    ulong buffer = 0;
                    var bits = 0;
                    for (var i = mini; i < mini + MiniblockValues; i++)
                    {
                        var delta = i < end ? (ulong)(deltas[i] - min) : 0;
                        // Widths above 56 bits are rare (values near 2^53); pack them in two halves.
                        for (var shift = 0; shift < width; shift += 32)
                        {
                            var part = Math.Min(32, width - shift);
                            buffer |= ((delta >> shift) & ((1UL << part) - 1)) << bits;
                            bits += part;
                            while (bits >= 8)
                            {
                                _input[length++] = (byte)buffer;
                                buffer >>= 8;
                                bits -= 8;
                            }
                        }
                    }

                    if (bits > 0)
                    {
                        _input[length++] = (byte)buffer;
                    }
                }
            }

            return length;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(scaled);
        }
    }
}
