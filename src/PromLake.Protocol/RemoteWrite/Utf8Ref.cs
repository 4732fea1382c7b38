namespace PromLake.Protocol.RemoteWrite;

/// <summary>A string kept as a slice of the request body: no copy, no allocation.</summary>
public readonly record struct Utf8Ref(int Offset, int Length)
{
    public static readonly Utf8Ref Empty = new(0, 0);

    public ReadOnlySpan<byte> Span(ReadOnlySpan<byte> body) => body.Slice(Offset, Length);
}
