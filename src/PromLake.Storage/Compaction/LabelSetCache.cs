using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Label sets by their labels in the log, kept across flushes (VictoriaMetrics keeps a
/// similar cache of metric names): only a label set not seen before has strings built for
/// it. Each distinct label text (a symbol) gets a number the first time it is met, and
/// each event's symbol table is mapped to those numbers as its references are met, once per
/// symbol per event; a set is then found by the numbers of its labels, a few integers
/// hashed and compared, instead of by copying, hashing and comparing its bytes for every
/// entry. Bounded: once it holds <see cref="MaxSets"/> sets it starts over at the next flush.
/// </summary>
internal sealed class LabelSetCache
{
    /// <summary>Enough for a shard's active series; a few hundred bytes each.</summary>
    public const int MaxSets = 1 << 18;

    private readonly Dictionary<ulong, InternedLabelSet> _byHash = [];

    // One instance per label text across all sets, so the block writer can hand the strings
    // to Parquet.Net's dictionaries as they are (see SampleBlockWriter's interning).
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly List<InternedLabelSet> _canonical = [];
    private readonly SymbolTable _symbols = new();
    private bool _ranked;
    private uint[] _key = new uint[64];

    // The current event's symbols by reference: their numbers, valid where the stamp is the event's.
    private uint[] _eventSymbols = new uint[1024];
    private int[] _eventStamps = new int[1024];
    private int _eventNumber = -1;
    private int _stamp;

    public int Count { get; private set; }

    /// <summary>Called between flushes: forgets everything once the cache is full.</summary>
    public void Trim()
    {
        if (Count >= MaxSets)
        {
            _byHash.Clear();
            _strings.Clear();
            _canonical.Clear();
            _symbols.Clear();
            Array.Clear(_eventStamps);
            _eventNumber = -1;
            Count = 0;
        }
    }

    /// <summary>The canonical label set an entry's references name.</summary>
    /// <exception cref="InvalidDataException">The references are odd in number, out of range, or repeat a label name.</exception>
    public InternedLabelSet Find(ReadOnlySpan<byte> payload, IngestEventDecoder decoder, List<uint> refs, int index)
    {
        if ((refs.Count & 1) != 0)
        {
            // RW 2.0: labels_refs' "length is always a multiple of two".
            throw new InvalidDataException($"timeseries {index}: labels_refs has an odd length {refs.Count}");
        }

        BeginEvent(decoder);
        if (refs.Count > _key.Length)
        {
            _key = new uint[Math.Max(_key.Length * 2, refs.Count)];
        }

        var key = _key.AsSpan(0, refs.Count);
        var symbolCount = decoder.Symbols.Length;
        for (var i = 0; i < key.Length; i++)
        {
            var reference = refs[i];
            if (reference >= (uint)symbolCount)
            {
                decoder.Symbol(reference, index); // throws: past the table
            }

            if (_eventStamps[reference] != _stamp)
            {
                _eventSymbols[reference] = _symbols.Number(decoder.Symbols[(int)reference].Span(payload));
                _eventStamps[reference] = _stamp;
            }

            key[i] = _eventSymbols[reference];
        }

        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key));
        _byHash.TryGetValue(hash, out var first);
        for (var set = first; set is not null; set = set.Next)
        {
            if (key.SequenceEqual(set.Key))
            {
                return set.Canonical;
            }
        }

        var created = Create(key.ToArray(), hash, payload, decoder, refs, index);
        created.Next = first;
        _byHash[hash] = created;
        Count++;
        if (!created.Key.AsSpan().SequenceEqual(KeyOf(created.Template.Labels)))
        {
            created.Canonical = Canonical(created.Template);
        }
        else
        {
            AddCanonical(created);
        }

        return created.Canonical;
    }

    /// <summary>Forgets the previous event's symbol numbers when the decoder has moved on.</summary>
    private void BeginEvent(IngestEventDecoder decoder)
    {
        if (decoder.EventNumber == _eventNumber)
        {
            return;
        }

        _eventNumber = decoder.EventNumber;
        var symbolCount = decoder.Symbols.Length;
        if (symbolCount > _eventStamps.Length)
        {
            var length = Math.Max(_eventStamps.Length * 2, symbolCount);
            _eventSymbols = new uint[length];
            _eventStamps = new int[length];
            _stamp = 0;
        }

        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_eventStamps);
            _stamp = 1;
        }
    }

    private InternedLabelSet Create(uint[] key, ulong hash, ReadOnlySpan<byte> payload, IngestEventDecoder decoder, List<uint> refs, int index)
    {
        var labels = new Label[refs.Count / 2];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = new Label(
                Intern(decoder.Symbol(refs[2 * i], index).Span(payload)),
                Intern(decoder.Symbol(refs[(2 * i) + 1], index).Span(payload)));
        }

        try
        {
            return new InternedLabelSet(key, hash, new StoredSeries(labels));
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"timeseries {index}: {error.Message}", error);
        }
    }

    /// <summary>
    /// Numbers every set in block order, so that a flush sorts its series by an integer
    /// rather than by comparing labels. Sets persist across flushes, so in steady state
    /// (no new series) this does nothing; a flush that met new series ranks them all again.
    /// </summary>
    public void Rank()
    {
        if (_ranked)
        {
            return;
        }

        var sets = _canonical.ToArray();
        var keys = new string[sets.Length];
        for (var i = 0; i < sets.Length; i++)
        {
            keys[i] = sets[i].SortKey;
        }

        Array.Sort(keys, sets, StringComparer.Ordinal);
        for (var i = 0; i < sets.Length; i++)
        {
            sets[i].Rank = i;
        }

        _ranked = true;
    }

    private void AddCanonical(InternedLabelSet set)
    {
        _canonical.Add(set);
        _ranked = false;
    }

    private string Intern(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8);
        if (_strings.TryGetValue(text, out var existing))
        {
            return existing;
        }

        _strings.Add(text);
        return text;
    }

    /// <summary>The set in sorted order, found or made, for a set the log listed out of order.</summary>
    private InternedLabelSet Canonical(StoredSeries template)
    {
        var key = KeyOf(template.Labels);
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()));
        _byHash.TryGetValue(hash, out var first);
        for (var set = first; set is not null; set = set.Next)
        {
            if (key.AsSpan().SequenceEqual(set.Key))
            {
                return set.Canonical;
            }
        }

        var created = new InternedLabelSet(key, hash, template) { Next = first };
        _byHash[hash] = created;
        Count++;
        AddCanonical(created);
        return created;
    }

    /// <summary>The key of labels given as strings: their symbol numbers, name then value, in order.</summary>
    private uint[] KeyOf(Label[] labels)
    {
        var key = new uint[labels.Length * 2];
        for (var i = 0; i < labels.Length; i++)
        {
            key[2 * i] = _symbols.Number(Encoding.UTF8.GetBytes(labels[i].Name));
            key[(2 * i) + 1] = _symbols.Number(Encoding.UTF8.GetBytes(labels[i].Value));
        }

        return key;
    }
}
