using FASTER.core;

namespace PromLake.Log;

/// <summary>
/// Hands one publish's events to FasterLog as a single batch, which it appends
/// atomically and contiguously: a crash keeps all of them or none.
/// </summary>
internal sealed class EventSpanBatch(IReadOnlyList<ReadOnlyMemory<byte>> events) : IReadOnlySpanBatch
{
    public int TotalEntries() => events.Count;

    public ReadOnlySpan<byte> Get(int index) => events[index].Span;
}
