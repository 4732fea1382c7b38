using System.Buffers;

namespace PromLake.Protocol.Wire;

/// <summary>A reusable byte buffer rented from the shared pool, grown by doubling.</summary>
public sealed class GrowableBuffer : IDisposable
{
    private byte[] _buffer;

    public GrowableBuffer(int initialCapacity = 64 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    /// <summary>A span of exactly <paramref name="size"/> bytes at the end, counted as written.</summary>
    public Span<byte> Append(int size)
    {
        if (Length + size > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + size));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        var span = _buffer.AsSpan(Length, size);
        Length += size;
        return span;
    }

    public void Clear() => Length = 0;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        Length = 0;
    }
}
