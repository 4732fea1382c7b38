namespace PromLake.Storage.Parquet;

/// <summary>A growable array that hands its contents to Parquet.Net as memory without copying.</summary>
internal sealed class ColumnBuffer<T>
{
    private T[] _items = new T[256];
    private int _count;

    public int Count => _count;

    public ReadOnlyMemory<T> Memory => _items.AsMemory(0, _count);

    public void Add(T item)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[_count++] = item;
    }

    public void AddRange(ReadOnlySpan<T> items)
    {
        if (_count + items.Length > _items.Length)
        {
            Array.Resize(ref _items, Math.Max(_items.Length * 2, _count + items.Length));
        }

        items.CopyTo(_items.AsSpan(_count));
        _count += items.Length;
    }

    /// <summary>Appends <paramref name="count"/> copies of <paramref name="item"/>.</summary>
    public void AddRepeated(T item, int count)
    {
        if (_count + count > _items.Length)
        {
            Array.Resize(ref _items, Math.Max(_items.Length * 2, _count + count));
        }

        _items.AsSpan(_count, count).Fill(item);
        _count += count;
    }

    /// <summary>Empties the buffer and hands out <paramref name="count"/> entries to fill in place.</summary>
    public Span<T> Reset(int count)
    {
        Clear();
        if (count > _items.Length)
        {
            _items = new T[Math.Max(_items.Length * 2, count)];
        }

        _count = count;
        return _items.AsSpan(0, count);
    }

    public void Clear()
    {
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_items, 0, _count);
        }

        _count = 0;
    }
}
