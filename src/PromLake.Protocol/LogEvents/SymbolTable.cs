using System.IO.Hashing;
using System.Runtime.CompilerServices;
using PromLake.Protocol.RemoteWrite;

namespace PromLake.Protocol.LogEvents;

/// <summary>
/// The symbol table of one RW 2.0 message being built: each distinct string gets
/// an index, 0 being "". Strings are kept as slices of the source request body
/// (never copied), found again through an open-addressing hash table that is
/// cleared, not reallocated, for each new message.
/// </summary>
internal sealed class SymbolTable
{
    /// <summary>An offset that names <see cref="MetricNameBytes"/> rather than a body slice.</summary>
    public const int MetricNameOffset = -1;

    public static ReadOnlySpan<byte> MetricNameBytes => "__name__"u8;

    private Utf8Ref[] _symbols = new Utf8Ref[512];
    private int[] _buckets = new int[1024];
    private ulong[] _hashes = new ulong[512];
    private int _count;

    public int Count => _count;

    /// <summary>Bytes the symbols take as repeated field 4 of a Request.</summary>
    public int EncodedBytes { get; private set; }

    public ReadOnlySpan<Utf8Ref> Symbols => _symbols.AsSpan(0, _count);

    public void Clear()
    {
        Array.Clear(_buckets);
        _count = 0;
        EncodedBytes = 0;
        Add(Utf8Ref.Empty, 0, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>Forgets the symbols added after the first <paramref name="count"/> (rare: an event being cut).</summary>
    public void TruncateTo(int count, int encodedBytes)
    {
        _count = count;
        EncodedBytes = encodedBytes;
        Array.Clear(_buckets);
        for (var i = 1; i < _count; i++)
        {
            Insert(i);
        }
    }

    public static ReadOnlySpan<byte> Resolve(ReadOnlySpan<byte> body, Utf8Ref symbol) =>
        symbol.Offset == MetricNameOffset ? MetricNameBytes : body.Slice(symbol.Offset, symbol.Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Intern(ReadOnlySpan<byte> body, Utf8Ref symbol)
    {
        if (symbol.Length == 0)
        {
            return 0;
        }

        var bytes = Resolve(body, symbol);
        var hash = XxHash3.HashToUInt64(bytes);
        var mask = _buckets.Length - 1;
        var bucket = (int)hash & mask;
        while (true)
        {
            var slot = _buckets[bucket];
            if (slot == 0)
            {
                break;
            }

            var index = slot - 1;
            if (_hashes[index] == hash && Resolve(body, _symbols[index]).SequenceEqual(bytes))
            {
                return (uint)index;
            }

            bucket = (bucket + 1) & mask;
        }

        return (uint)Add(symbol, hash, bytes);
    }

    private int Add(Utf8Ref symbol, ulong hash, ReadOnlySpan<byte> bytes)
    {
        if (_count == _symbols.Length)
        {
            Array.Resize(ref _symbols, _count * 2);
            Array.Resize(ref _hashes, _count * 2);
        }

        var index = _count++;
        _symbols[index] = symbol;
        _hashes[index] = hash;
        EncodedBytes += 1 + Wire.ProtoSize.Varint((ulong)bytes.Length) + bytes.Length;
        if (index == 0)
        {
            return 0;
        }

        if (_count * 2 > _buckets.Length)
        {
            Rehash();
        }
        else
        {
            Insert(index);
        }

        return index;
    }

    private void Insert(int index)
    {
        var mask = _buckets.Length - 1;
        var bucket = (int)_hashes[index] & mask;
        while (_buckets[bucket] != 0)
        {
            bucket = (bucket + 1) & mask;
        }

        _buckets[bucket] = index + 1;
    }

    private void Rehash()
    {
        _buckets = new int[_buckets.Length * 2];
        for (var i = 1; i < _count; i++)
        {
            Insert(i);
        }
    }
}
