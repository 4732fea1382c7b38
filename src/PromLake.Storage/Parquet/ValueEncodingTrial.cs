using System.Buffers;
using System.Buffers.Binary;

namespace PromLake.Storage.Parquet;

/// <summary>
/// Decides a row group's <c>samples.value</c> encoding by compressing a sample of its values
/// both ways. Which one wins depends on the data, not on a rule of thumb: on 15 s
/// node_exporter data BYTE_STREAM_SPLIT is a few per cent smaller; on Prometheus scraping
/// itself every second PLAIN is a fifth smaller, even for the series that change at every
/// scrape, because zstd finds whole earlier values again (see README.md).
/// </summary>
internal static class ValueEncodingTrial
{
    // Sixteen windows of 4,096 values spread over the row group: 512 KiB per layout, a few
    // milliseconds of zstd at a fast level, against the tens of milliseconds the row group takes.
    private const int Windows = 16;
    private const int WindowValues = 4096;
    private const int TrialLevel = 3;

    public static bool PlainIsSmaller(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return false;
        }

        var windowValues = Math.Min(WindowValues, values.Length);
        var windows = Math.Min(Windows, values.Length / windowValues);
        var count = windows * windowValues;
        var plain = ArrayPool<byte>.Shared.Rent(count * 8);
        var split = ArrayPool<byte>.Shared.Rent(count * 8);
        try
        {
            var stride = windows > 1 ? (values.Length - windowValues) / (windows - 1) : 0;
            for (var w = 0; w < windows; w++)
            {
                var window = values.Slice(w * stride, windowValues);
                var offset = w * windowValues;
                for (var i = 0; i < window.Length; i++)
                {
                    var bits = BitConverter.DoubleToUInt64Bits(window[i]);
                    BinaryPrimitives.WriteUInt64LittleEndian(plain.AsSpan((offset + i) * 8), bits);
                    for (var b = 0; b < 8; b++)
                    {
                        split[(b * count) + offset + i] = (byte)(bits >> (8 * b));
                    }
                }
            }

            using var compressor = new ZstdSharp.Compressor(TrialLevel);
            var bound = ZstdSharp.Compressor.GetCompressBound(count * 8);
            var output = ArrayPool<byte>.Shared.Rent(bound);
            try
            {
                var plainBytes = compressor.Wrap(plain.AsSpan(0, count * 8), output);
                var splitBytes = compressor.Wrap(split.AsSpan(0, count * 8), output);
                return plainBytes <= splitBytes;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
            ArrayPool<byte>.Shared.Return(split);
        }
    }
}
