using System.Buffers;

namespace PromLake.Protocol.LogEvents;

/// <summary>An encoded log event in a buffer rented from the shared pool; return it once published.</summary>
public readonly record struct PooledEvent(byte[] Buffer, int Length)
{
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
