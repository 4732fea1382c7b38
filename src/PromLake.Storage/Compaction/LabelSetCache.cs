using System.IO.Hashing;
using System.Text;
using PromLake.Storage.Series;

namespace PromLake.Storage.Compaction;

/// <summary>
/// Label sets by their bytes in the log, kept across flushes (VictoriaMetrics keeps a
/// similar cache of metric names): looking a series up hashes and compares bytes, and only
/// a label set not seen before has strings built for it. Bounded: once it holds
/// <see cref="MaxSets"/> sets it starts over at the next flush.
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
    private bool _ranked;
    private byte[] _key = new byte[1024];

    public int Count { get; private set; }

    /// <summary>Called between flushes: forgets everything once the cache is full.</summary>
    public void Trim()
    {
        if (Count >= MaxSets)
        {
            _byHash.Clear();
            _strings.Clear();
            _canonical.Clear();
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

        var length = 0;
        for (var i = 0; i < refs.Count; i++)
        {
            var symbol = decoder.Symbol(refs[i], index).Span(payload);
            if (length + symbol.Length + 1 > _key.Length)
            {
                Array.Resize(ref _key, Math.Max(_key.Length * 2, length + symbol.Length + 1));
            }

            symbol.CopyTo(_key.AsSpan(length));
            length += symbol.Length;
            _key[length++] = 0xff;
        }

        var key = _key.AsSpan(0, length);
        var hash = XxHash64.HashToUInt64(key);
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

    private InternedLabelSet Create(byte[] key, ulong hash, ReadOnlySpan<byte> payload, IngestEventDecoder decoder, List<uint> refs, int index)
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
        var hash = XxHash64.HashToUInt64(key);
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

    private static byte[] KeyOf(Label[] labels)
    {
        var bytes = new List<byte>();
        foreach (var label in labels)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(label.Name));
            bytes.Add(0xff);
            bytes.AddRange(Encoding.UTF8.GetBytes(label.Value));
            bytes.Add(0xff);
        }

        return [.. bytes];
    }
}
