using System.IO.Hashing;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Label texts (symbols) numbered by their UTF-8 bytes, in the order first met: equal bytes
/// get the same number from every event, so a label set can be named by a few integers.
/// The bytes are kept in one array, so numbering a symbol seen before costs a hash, a
/// lookup and one comparison, and allocates nothing. Not thread-safe.
/// </summary>
internal sealed class SymbolTable
{
    // Numbers by the hash of their bytes; symbols whose hashes collide are chained by _next.
    private readonly Dictionary<ulong, int> _byHash = [];
    private byte[] _bytes = new byte[1 << 16];
    private int _bytesUsed;
    private int[] _start = new int[1024];
    private int[] _length = new int[1024];
    private int[] _next = new int[1024];

    public int Count { get; private set; }

    public void Clear()
    {
        _byHash.Clear();
        _bytesUsed = 0;
        Count = 0;
    }

    /// <summary>The number of the symbol spelled <paramref name="utf8"/>, given it if it has none yet.</summary>
    public uint Number(ReadOnlySpan<byte> utf8)
    {
        var hash = XxHash3.HashToUInt64(utf8);
        if (!_byHash.TryGetValue(hash, out var first))
        {
            first = -1;
        }

        for (var number = first; number >= 0; number = _next[number])
        {
            if (utf8.SequenceEqual(_bytes.AsSpan(_start[number], _length[number])))
            {
                return (uint)number;
            }
        }

        var added = Add(utf8);
        _next[added] = first;
        _byHash[hash] = added;
        return (uint)added;
    }

    private int Add(ReadOnlySpan<byte> utf8)
    {
        if (Count == _start.Length)
        {
            Array.Resize(ref _start, Count * 2);
            Array.Resize(ref _length, Count * 2);
            Array.Resize(ref _next, Count * 2);
        }

        if (_bytesUsed + utf8.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _bytesUsed + utf8.Length));
        }

        utf8.CopyTo(_bytes.AsSpan(_bytesUsed));
        _start[Count] = _bytesUsed;
        _length[Count] = utf8.Length;
        _bytesUsed += utf8.Length;
        return Count++;
    }
}
