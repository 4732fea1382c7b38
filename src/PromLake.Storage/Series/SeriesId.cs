using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace PromLake.Storage.Series;

/// <summary>
/// A series' 64-bit identity, computed as Prometheus's <c>labels.Hash()</c> does
/// (xxHash64, seed 0, over each label's name, 0xff, value, 0xff in label order), so
/// an id stored in Parquet can be compared with what Prometheus tools print.
/// </summary>
public static class SeriesId
{
    public static ulong Of(ReadOnlySpan<Label> sortedLabels)
    {
        var length = 0;
        foreach (var label in sortedLabels)
        {
            length += Encoding.UTF8.GetMaxByteCount(label.Name.Length) + Encoding.UTF8.GetMaxByteCount(label.Value.Length) + 2;
        }

        var rented = length <= 1024 ? null : ArrayPool<byte>.Shared.Rent(length);
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        var position = 0;
        foreach (var label in sortedLabels)
        {
            position += Encoding.UTF8.GetBytes(label.Name, buffer[position..]);
            buffer[position++] = 0xff;
            position += Encoding.UTF8.GetBytes(label.Value, buffer[position..]);
            buffer[position++] = 0xff;
        }

        var hash = XxHash64.HashToUInt64(buffer[..position]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }
}
